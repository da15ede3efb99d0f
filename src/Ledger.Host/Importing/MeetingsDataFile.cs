using System.Text.Json;
using Ledger.Domain.Importing;
using Ledger.Projections;

namespace Ledger.Host.Importing;

/// <summary>Reads the meetings' data: the copy shipped inside the host, or a file given by the user.</summary>
public static class MeetingsDataFile
{
    private const string ShippedResource = "Ledger.Data.unoic-2022-2024.json";

    private static readonly JsonSerializerOptions Json = CreateOptions();

    public static async Task<MeetingsData> LoadShippedAsync(CancellationToken ct = default)
    {
        await using var stream = typeof(MeetingsDataFile).Assembly.GetManifestResourceStream(ShippedResource)
            ?? throw new InvalidOperationException($"The shipped meetings' data ({ShippedResource}) is missing from the build.");
        return await ReadAsync(stream, "the shipped meetings' data", ct);
    }

    public static async Task<MeetingsData> LoadAsync(string path, CancellationToken ct = default)
    {
        await using var stream = File.OpenRead(path);
        return await ReadAsync(stream, path, ct);
    }

    private static async Task<MeetingsData> ReadAsync(Stream stream, string name, CancellationToken ct)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<MeetingsData>(stream, Json, ct)
                ?? throw new InvalidDataException($"{name} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name} is not valid meetings' data: {e.Message}", e);
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { AllowTrailingCommas = false };
        LedgerStore.ConfigureJson(options);
        return options;
    }
}
