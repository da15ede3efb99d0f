using Microsoft.Extensions.Options;

namespace Ledger.Host.Audit.TreeHeads;

/// <summary>Signed tree heads: their keys, the log of heads, and the schedule that signs them.</summary>
public static class TreeHeadHosting
{
    public static WebApplicationBuilder AddLedgerTreeHeads(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<TreeHeadOptions>(builder.Configuration.GetSection(TreeHeadOptions.Section));
        services.AddSingleton(sp => TreeHeadSigning.From(sp.GetRequiredService<IOptions<TreeHeadOptions>>().Value));
        services.AddSingleton<TreeHeadLog>();
        services.AddHostedService<TreeHeadSchedule>();
        return builder;
    }
}
