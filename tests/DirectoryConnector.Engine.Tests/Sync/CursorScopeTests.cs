using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests;

/// <summary>The cursor scope is hashed from a compile-time JSON contract now; a cursor recorded by an earlier version
/// (the same JSON, serialized by reflection) must stay usable after an upgrade, or every DirectorySync reads in full once.</summary>
public sealed class CursorScopeTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Every_spec_field_hashes_as_the_reflection_serializer_wrote_it()
    {
        // Every source and every field set (strings, numbers, flags, enums, lists, nested objects), so a field the
        // generated contract wrote differently, or left out, changes the hash.
        var spec = new DirectorySyncSpec
        {
            Source = Filled<SourceSpec>(),
            Filters = Filled<FiltersSpec>(),
            Sync = Filled<SyncOptionsSpec>(),
        };

        SyncEngine.CursorScope(spec, "https://api.bitwarden.com|ORG").Should().Be(ReflectionScope(spec, "https://api.bitwarden.com|ORG"));
    }

    [Fact]
    public void Defaults_hash_as_the_reflection_serializer_wrote_them()
    {
        var spec = new DirectorySyncSpec { Source = new SourceSpec { Ldap = new() } };

        SyncEngine.CursorScope(spec, "scope").Should().Be(ReflectionScope(spec, "scope"));
    }

    [Fact]
    public void A_changed_filter_changes_the_scope()
    {
        var spec = new DirectorySyncSpec { Source = new SourceSpec { Ldap = new() } };
        var before = SyncEngine.CursorScope(spec, "scope");
        spec.Filters.Users = "(department=Sales)";

        SyncEngine.CursorScope(spec, "scope").Should().NotBe(before);
    }

    private static string ReflectionScope(DirectorySyncSpec spec, string hashScope)
        => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { spec.Source, spec.Filters, spec.Sync, hashScope }, Reflection)));

    private static T Filled<T>() where T : new() => (T)Fill(typeof(T), depth: 0)!;

    private static object? Fill(Type type, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return $"value-{depth}-\"quoted\"-é";
        }

        if (underlying == typeof(bool))
        {
            return true;
        }

        if (underlying == typeof(int) || underlying == typeof(long))
        {
            return Convert.ChangeType(7 + depth, underlying, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (underlying.IsEnum)
        {
            return Enum.GetValues(underlying).Cast<object>().Last();
        }

        if (underlying.IsArray)
        {
            var array = Array.CreateInstance(underlying.GetElementType()!, 1);
            array.SetValue(Fill(underlying.GetElementType()!, depth + 1), 0);
            return array;
        }

        if (underlying.IsGenericType && typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            var arguments = underlying.GetGenericArguments();
            if (arguments.Length == 2)
            {
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(arguments))!;
                dictionary[Fill(arguments[0], depth + 1)!] = Fill(arguments[1], depth + 1);
                return dictionary;
            }

            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(arguments[0]))!;
            list.Add(Fill(arguments[0], depth + 1));
            return list;
        }

        if (depth > 6 || underlying.GetConstructor(Type.EmptyTypes) is null)
        {
            return null;
        }

        var instance = Activator.CreateInstance(underlying)!;
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetIndexParameters().Length == 0))
        {
            property.SetValue(instance, Fill(property.PropertyType, depth + 1));
        }

        return instance;
    }
}
