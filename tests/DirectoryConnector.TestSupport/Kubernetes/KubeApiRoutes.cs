using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// The HTTP surface: discovery, namespaced and cluster CRUD, status subresource, patch, list/watch and tables.
/// Paths: /api/v1/..., /apis/{group}/{version}/..., then [namespaces/{ns}/]{plural}[/{name}[/status]].
/// </summary>
internal sealed class KubeApiRoutes
{
    private static readonly string[] PreconditionFields = ["uid", "resourceVersion"];
    private readonly ResourceStore _store;
    private readonly KubeApiFaults _faults;
    private readonly KubeApiEmulatorOptions _options;
    private readonly ConcurrentDictionary<(string GroupVersion, string Plural), ApiResourceType> _types = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<RecordedRequest> _recorded = new();

    public KubeApiRoutes(ResourceStore store, KubeApiFaults faults, KubeApiEmulatorOptions options)
    {
        _store = store;
        _faults = faults;
        _options = options;
        foreach (var type in ApiResourceType.Builtins)
        {
            Register(type);
        }
    }

    public IReadOnlyCollection<string> Requests => _requests;

    public IReadOnlyCollection<RecordedRequest> Recorded => _recorded;

    public void Register(ApiResourceType type) => _types[(type.GroupVersion, type.Plural)] = type;

    public ApiResourceType? Find(string groupVersion, string plural) => _types.GetValueOrDefault((groupVersion, plural));

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        _requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        _recorded.Enqueue(new RecordedRequest(bearer,
            request.Method, request.Path.Value ?? "", request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            request.Headers.Accept.Count == 0 ? null : request.Headers.Accept.ToString(),
            request.Headers.Where(h => h.Key.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key, h => (IReadOnlyList<string>)[.. h.Value.Select(v => v ?? "")], StringComparer.OrdinalIgnoreCase)));
        try
        {
            if (_options.Authenticates is { } authenticates && !authenticates(bearer))
            {
                throw new KubeApiException(401, "Unauthorized", "Unauthorized");
            }

            if (_faults.Latency > TimeSpan.Zero)
            {
                await Task.Delay(_faults.Latency, context.RequestAborted);
            }

            var body = "";
            if (_faults.HasRules)
            {
                // Rules may look at the body: buffer it so the route reads it again.
                request.EnableBuffering();
                body = await new StreamReader(request.Body, leaveOpen: true).ReadToEndAsync(context.RequestAborted);
                request.Body.Position = 0;
            }

            if (_faults.TakeFailure(new KubeApiRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", body)) is { } failure)
            {
                if (failure.Code == KubeApiFaults.DroppedConnection)
                {
                    context.Abort();
                    return;
                }

                if (failure.RetryAfter is { } retryAfter)
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    throw new KubeApiException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later",
                        new JsonObject { ["retryAfterSeconds"] = (int)Math.Ceiling(retryAfter.TotalSeconds) });
                }

                throw failure.Code switch
                {
                    409 => new KubeApiException(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"),
                    410 => new KubeApiException(410, "Expired", "too old resource version: injected by the emulator"),
                    503 => new KubeApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
                    _ => new KubeApiException(failure.Code, "InternalError", "Internal error occurred: injected by the emulator"),
                };
            }

            await RouteAsync(context);
        }
        catch (KubeApiException error) when (!context.Response.HasStarted)
        {
            await WriteJsonAsync(context, error.Code, error.ToStatus());
        }
        catch (JsonException error) when (!context.Response.HasStarted)
        {
            await WriteJsonAsync(context, 400, KubeApiException.StatusObject(400, "BadRequest", $"the body of the request was in an unknown format: {error.Message}"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not WatchDroppedException)
        {
            // An emulator bug: answer it visibly so the failing test shows it.
            await WriteJsonAsync(context, 500, KubeApiException.StatusObject(500, "InternalError", $"emulator error: {error}"));
        }
    }

    /// <summary>Ends every open watch: each watch request aborts its own connection when its subscription drops.</summary>
    public int DropWatches() => _store.DropWatches();

    private async Task RouteAsync(HttpContext context)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["version"]:
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["major"] = "1",
                    ["minor"] = "35",
                    ["gitVersion"] = "v1.35.0-emulator",
                    ["platform"] = "linux/amd64",
                });
                return;
            case ["api"]:
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
                    {
                        ["clientCIDR"] = "0.0.0.0/0",
                        ["serverAddress"] = $"{context.Request.Host}",
                    }),
                });
                return;
            case ["apis"]:
                await WriteJsonAsync(context, 200, GroupList());
                return;
            case ["openapi", "v3"]:
                await WriteJsonAsync(context, 200, OpenApiDocuments.Root(_types.Values));
                return;
            case ["openapi", "v3", "api" or "apis", .. var groupVersion] when _types.Values.Any(t => t.GroupVersion == string.Join('/', groupVersion)):
                await WriteJsonAsync(context, 200, OpenApiDocuments.GroupVersion(_types.Values, string.Join('/', groupVersion)));
                return;
            case ["api", "v1"]:
                await WriteJsonAsync(context, 200, ResourceList("v1"));
                return;
            case ["apis", var group, var version]:
                await WriteJsonAsync(context, 200, ResourceList($"{group}/{version}"));
                return;
            case ["api", "v1", .. var rest]:
                await ResourceAsync(context, "v1", rest);
                return;
            case ["apis", var group, var version, .. var rest]:
                await ResourceAsync(context, $"{group}/{version}", rest);
                return;
            default:
                throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }
    }

    private async Task ResourceAsync(HttpContext context, string groupVersion, string[] rest)
    {
        // [namespaces/{ns}/]{plural}[/{name}[/{subresource}]]; /api/v1/namespaces[/{name}] is the Namespace resource itself.
        var (ns, plural, name, subresource) = rest switch
        {
            ["namespaces", var n, var p, .. var tail] => (n, p, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1)),
            [var p, .. var tail] => ((string?)null, p, tail.ElementAtOrDefault(0), tail.ElementAtOrDefault(1)),
            _ => throw new KubeApiException(404, "NotFound", "the server could not find the requested resource"),
        };
        var type = Find(groupVersion, plural) ?? throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        if (type.Namespaced && name is not null && ns is null)
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (subresource is not null && (subresource != "status" || !type.HasStatusSubresource))
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var scope = type.Namespaced ? ns ?? "" : "";
        // The server negotiates the response format before it does anything (406 NotAcceptable).
        _ = ResponseFormat.Of(context.Request);
        var method = context.Request.Method;
        switch (method)
        {
            case "GET" when name is null && IsWatch(context.Request):
                await WatchAsync(context, type, ns);
                break;
            case "GET" when name is null:
                await ListAsync(context, type, ns);
                break;
            case "GET":
            {
                var obj = _store.Get(type, scope, name) ?? throw KubeApiException.NotFound(type, name);
                await WriteObjectAsync(context, 200, type, obj);
                break;
            }

            case "POST" when name is null && (!type.Namespaced || ns is not null):
                await CreateAsync(context, type, scope);
                break;
            case "PUT" when name is not null:
            {
                if (type.Namespaced)
                {
                    // Admission runs before the update looks for the object (and treats a missing one as a create).
                    RequireNamespace(scope);
                }

                var body = await ReadBodyAsync(context);
                await UpdateAsync(context, type, scope, name, subresource is not null, _ => body);
                break;
            }

            case "PATCH" when name is not null:
                await PatchAsync(context, type, scope, name, subresource is not null);
                break;
            case "DELETE" when name is not null:
                await DeleteAsync(context, type, scope, name);
                break;
            default:
                throw new KubeApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    private async Task CreateAsync(HttpContext context, ApiResourceType type, string ns)
    {
        var warnings = new List<string>();
        if (type.Namespaced)
        {
            RequireNamespace(ns);
        }

        var obj = ObjectRules.PrepareCreate(type, type.Namespaced ? ns : null, await ReadBodyAsync(context), FieldValidationOf(context), warnings, _options.Clock);
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        var crdType = type.Plural == "customresourcedefinitions" ? ServedType(obj) : null;
        if (IsDryRun(context))
        {
            await WriteObjectAsync(context, 201, type, obj, warnings);
            return;
        }

        var created = _store.Mutate(type, ns, name, current =>
            current is null ? MutationResult.Store(obj) : throw KubeApiException.AlreadyExists(type, name))!;
        if (crdType is not null)
        {
            Register(crdType);
        }

        await WriteObjectAsync(context, 201, type, created, warnings);
    }

    private async Task UpdateAsync(HttpContext context, ApiResourceType type, string ns, string name, bool status, Func<JsonObject, JsonObject> incomingFrom)
    {
        var warnings = new List<string>();
        var fieldValidation = FieldValidationOf(context);
        ApiResourceType? crdType = null;
        var updated = _store.Mutate(type, ns, name, current =>
        {
            if (current is null)
            {
                throw KubeApiException.NotFound(type, name);
            }

            var result = ObjectRules.PrepareUpdate(type, name, current, incomingFrom(current.DeepClone().AsObject()), status, fieldValidation, warnings);
            crdType = type.Plural == "customresourcedefinitions" && result.Resource is { } crd ? ServedType(crd) : null;
            return IsDryRun(context) ? MutationResult.NoChange() : result;
        });
        if (crdType is not null)
        {
            Register(crdType);
        }

        await WriteObjectAsync(context, 200, type, updated!, warnings);
    }

    private async Task PatchAsync(HttpContext context, ApiResourceType type, string ns, string name, bool status)
    {
        var contentType = context.Request.ContentType?.Split(';')[0].Trim();
        var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        Func<JsonObject, JsonNode> apply = contentType switch
        {
            "application/merge-patch+json" => current => Patches.MergePatch(current, patch)!,
            "application/json-patch+json" when patch is JsonArray operations => current => Patches.JsonPatch(current, operations),
            // Core types take strategic merge patches; for the few fields an operator patches, merge semantics match.
            "application/strategic-merge-patch+json" when !type.IsCustom => current => Patches.MergePatch(current, patch)!,
            _ => throw new KubeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json{(type.IsCustom ? "" : ", application/strategic-merge-patch+json")}"),
        };

        // A patch first applies itself to the stored object (404 for the object when absent), then admission runs.
        if (type.Namespaced && _store.Get(type, ns, name) is not null)
        {
            RequireNamespace(ns);
        }

        // Applied to the stored object under the store's lock, as the server's GuaranteedUpdate retries it: a patch
        // conflicts (409) only when it sets metadata.resourceVersion itself and that version is not the current one.
        await UpdateAsync(context, type, ns, name, status, current => apply(current) as JsonObject ?? throw KubeApiException.BadRequest("the patch did not produce an object"));
    }

    private async Task DeleteAsync(HttpContext context, ApiResourceType type, string ns, string name)
    {
        // DeleteOptions may carry preconditions on uid and resourceVersion.
        var options = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted)
            : null;
        var preconditions = options?["preconditions"];
        var deleted = _store.Mutate(type, ns, name, current =>
        {
            if (current is null)
            {
                throw KubeApiException.NotFound(type, name);
            }

            foreach (var field in PreconditionFields)
            {
                if (preconditions?[field]?.GetValue<string>() is { } expected && current["metadata"]![field]!.GetValue<string>() is var actual && expected != actual)
                {
                    throw new KubeApiException(409, "Conflict",
                        $"Precondition failed: {(field == "uid" ? "UID" : "ResourceVersion")} in precondition: {expected}, {(field == "uid" ? "UID" : "ResourceVersion")} in object meta: {actual}",
                        new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = type.Plural });
                }
            }

            return ObjectRules.PrepareDelete(current, _options.Clock);
        })!;
        if (type.IsCustom || deleted["metadata"]!["deletionTimestamp"] is not null)
        {
            await WriteObjectAsync(context, 200, type, deleted);
            return;
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group,
                ["kind"] = type.Plural,
                ["uid"] = deleted["metadata"]!["uid"]?.DeepClone(),
            },
        });
    }

    private async Task ListAsync(HttpContext context, ApiResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var matches = Selectors.Parse(query["labelSelector"], query["fieldSelector"], type);
        var continued = ContinueToken.Decode(query["continue"]);
        List<JsonObject> items;
        long resourceVersion;
        if (continued is { } token)
        {
            // Every page of one list comes from the first page's snapshot; once compacted, the token has expired.
            items = _store.ListAt(type, type.Namespaced ? ns : null, token.ResourceVersion) ?? throw new KubeApiException(410, "Expired", ContinueToken.ExpiredMessage);
            resourceVersion = token.ResourceVersion;
        }
        else
        {
            (items, resourceVersion) = _store.List(type, type.Namespaced ? ns : null);
        }

        items = [.. items.Where(matches)];
        var (page, continueToken, remaining) = Paginate(items, query["limit"], continued?.After, resourceVersion, _options.MaxPageSize);
        var format = ResponseFormat.Of(context.Request);
        if (format.Kind == ResponseFormat.Table)
        {
            var table = TableBuilder.Build(type, page, resourceVersion, query["includeObject"] == "Object", _options.Clock());
            table["metadata"]!["continue"] = continueToken;
            await WriteJsonAsync(context, 200, table);
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
            metadata["remainingItemCount"] = remaining;
        }

        if (format.List(type, page, metadata) is { } converted)
        {
            await WriteJsonAsync(context, 200, converted);
            return;
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = type.Kind + "List",
            ["apiVersion"] = type.GroupVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page]),
        });
    }

    // limit/continue paging in namespace/name order. The server may return fewer items than asked (maxPageSize).
    private static (List<JsonObject> Page, string? Continue, int Remaining) Paginate(List<JsonObject> items, string? limit, string? after, long resourceVersion, int? maxPageSize)
    {
        if (string.IsNullOrEmpty(limit) && after is null)
        {
            return (items, null, 0);
        }

        if (after is not null)
        {
            items = [.. items.Where(i => string.CompareOrdinal(ContinueToken.KeyOf(i), after) > 0)];
        }

        if (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size <= 0)
        {
            return (items, null, 0);
        }

        size = Math.Min(size, maxPageSize ?? size);
        if (items.Count <= size)
        {
            return (items, null, 0);
        }

        var page = items.Take(size).ToList();
        return (page, ContinueToken.Encode(resourceVersion, ContinueToken.KeyOf(page[^1])), items.Count - size);
    }

    private async Task WatchAsync(HttpContext context, ApiResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var matches = Selectors.Parse(query["labelSelector"], query["fieldSelector"], type);
        long? from = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : null;
        var bookmarks = query["allowWatchBookmarks"] is var b && (b == "true" || b == "1");
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : _options.DefaultWatchTimeout;

        var format = ResponseFormat.Of(context.Request);
        using var subscription = _store.Watch(type, type.Namespaced ? ns : null, matches, from);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                tick.CancelAfter(_options.BookmarkInterval);
                WatchMessage message;
                try
                {
                    if (!await subscription.Messages.WaitToReadAsync(tick.Token))
                    {
                        return;
                    }

                    message = await subscription.Messages.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                {
                    // A bookmark every interval and one when the watch times out, as the server's watch cache sends them.
                    if (bookmarks && _store.BookmarkRevision(subscription) is { } bookmark)
                    {
                        await WriteEventAsync(context, "BOOKMARK", format.WatchObject(Bookmark(type, bookmark)));
                    }

                    if (deadline.IsCancellationRequested)
                    {
                        return;
                    }

                    continue;
                }

                if (message.Type == "EXPIRED")
                {
                    await WriteEventAsync(context, "ERROR", KubeApiException.StatusObject(410, "Expired",
                        $"too old resource version: {message.RequestedResourceVersion} ({message.CompactedThrough})"));
                    return;
                }

                await WriteEventAsync(context, message.Type, format.WatchObject(message.Resource!));
            }
        }
        catch (Exception error) when (error is WatchDroppedException || error.InnerException is WatchDroppedException)
        {
            // Aborted from the request's own code path, never from another thread's stale HttpContext.
            context.Abort();
        }
    }

    private static JsonObject Bookmark(ApiResourceType type, long resourceVersion) => new()
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.GroupVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
    };

    private static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await context.Response.WriteAsync(line, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// The NamespaceLifecycle admission plugin (k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle): creating
    /// or updating anything in a namespace that does not exist answers the namespace's own 404, `namespaces "x" not found`.
    /// </summary>
    private void RequireNamespace(string ns)
    {
        var namespaces = Find("v1", "namespaces")!;
        if (_store.Get(namespaces, "", ns) is null)
        {
            throw KubeApiException.NotFound(namespaces, ns);
        }
    }

    /// <summary>Creates a Namespace (Active) unless it exists: the emulator's initial namespaces.</summary>
    public void AddNamespace(string ns)
    {
        var namespaces = Find("v1", "namespaces")!;
        _store.Mutate(namespaces, "", ns, current => current is not null
            ? MutationResult.NoChange()
            : MutationResult.Store(new JsonObject
            {
                ["kind"] = "Namespace",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject
                {
                    ["name"] = ns,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["creationTimestamp"] = ObjectRules.Timestamp(_options.Clock()),
                },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            }));
    }

    private static ApiResourceType ServedType(JsonObject crd)
    {
        try
        {
            return ApiResourceType.FromCrd(crd);
        }
        catch (NotSupportedException error)
        {
            throw new KubeApiException(422, "Invalid",
                $"CustomResourceDefinition.apiextensions.k8s.io \"{crd["metadata"]?["name"]}\" is invalid: {error.Message}");
        }
    }

    private JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var group in _types.Values.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var versions = group.Select(t => t.Version).Distinct().Select(v => (JsonNode)new JsonObject
            {
                ["groupVersion"] = $"{group.Key}/{v}",
                ["version"] = v,
            }).ToArray();
            groups.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = new JsonArray(versions),
                ["preferredVersion"] = versions[0].DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private JsonObject ResourceList(string groupVersion)
    {
        var types = _types.Values.Where(t => t.GroupVersion == groupVersion).OrderBy(t => t.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
                ["shortNames"] = new JsonArray([.. type.ShortNames.Select(s => (JsonNode)s)]),
                ["categories"] = new JsonArray([.. type.Categories.Select(c => (JsonNode)c)]),
            });
            if (type.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = $"{type.Plural}/status",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = type.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources };
    }

    private async Task WriteObjectAsync(HttpContext context, int code, ApiResourceType type, JsonObject obj, List<string>? warnings = null)
    {
        foreach (var warning in warnings ?? [])
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        var format = ResponseFormat.Of(context.Request);
        if (format.Kind == ResponseFormat.Table)
        {
            await WriteJsonAsync(context, code, TableBuilder.Build(type, [obj], _store.ResourceVersion,
                context.Request.Query["includeObject"] == "Object", _options.Clock()));
            return;
        }

        await WriteJsonAsync(context, code, format.Item(type, obj));
    }

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpContext context) =>
        await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject
        ?? throw KubeApiException.BadRequest("the body of the request must be a JSON object");

    private static bool IsWatch(HttpRequest request) => request.Query["watch"] is var w && (w == "true" || w == "1");

    private static bool IsDryRun(HttpContext context) => context.Request.Query["dryRun"] == "All";

    private static ObjectRules.FieldValidation FieldValidationOf(HttpContext context) => context.Request.Query["fieldValidation"].ToString() switch
    {
        "Strict" => ObjectRules.FieldValidation.Strict,
        "Ignore" => ObjectRules.FieldValidation.Ignore,
        _ => ObjectRules.FieldValidation.Warn,
    };
}
