using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ledger.Domain.Common;
using Ledger.Projections;

namespace Ledger.Host.Hosting;

/// <summary>JSON as the HTTP API speaks it: camelCase, enums in kebab-case, NodaTime as ISO text.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // A field the API does not know is a mistake worth hearing about, not something to drop silently.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = 32;
        // The API answers JSON, never HTML: no need to escape quotes and angle brackets.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new JsonStringEnumConverter(ApiNames.Policy, allowIntegerValues: false));
        LedgerStore.ConfigureJson(options);
    }

    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}
