using DirectoryConnector.Engine.Configuration;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.File;

[JsonConverter(typeof(JsonStringEnumConverter<FileFormat>))]
public enum FileFormat
{
    [JsonStringEnumMemberName("ldif")] Ldif,
    [JsonStringEnumMemberName("json")] Json,
}
