using System.Text.Json;
using Ledger.Domain.Importing;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Ledger.Domain.Tests.Importing;

/// <summary>The meetings' data file the ledger ships, copied next to the tests (see the project file).</summary>
internal static class ShippedData
{
    public static readonly string Path = System.IO.Path.Combine(AppContext.BaseDirectory, "data", "unoic-2022-2024.json");

    private static readonly JsonSerializerOptions Options =
        new JsonSerializerOptions(JsonSerializerDefaults.Web).ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static MeetingsData Load() =>
        JsonSerializer.Deserialize<MeetingsData>(File.ReadAllText(Path), Options)
        ?? throw new InvalidDataException($"{Path} holds no meetings' data.");
}
