using JasperFx.CommandLine;
using Ledger.Host.DatabaseRoles;
using Spectre.Console;

namespace Ledger.Host.ProjectionOps;

public sealed class VerifyProjectionsInput : NetCoreInput
{
    [Description("List at most this many differences (default 50)")]
    [FlagAlias("show", 's')]
    public int ShowFlag { get; set; } = 50;
}

[Description("Rebuild every projection into a side copy from the events and compare it with the live read models", Name = "projections-verify")]
public sealed class VerifyProjectionsCommand : JasperFxAsyncCommand<VerifyProjectionsInput>
{
    public VerifyProjectionsCommand()
    {
        Usage("Verify every projection against a rebuild from the events");
    }

    public override async Task<bool> Execute(VerifyProjectionsInput input)
    {
        using var host = input.BuildHost();
        await host.Services.GetRequiredService<SchemaStep>().PrepareAsync(CancellationToken.None);
        var verifier = host.Services.GetRequiredService<ProjectionVerifier>();

        var report = await AnsiConsole.Status().StartAsync("Verifying…", async status =>
        {
            var progress = new Progress<string>(message => status.Status(Markup.Escape(message)));
            return await verifier.VerifyAsync(progress);
        });

        var table = new Table().AddColumns("projection", "lifecycle", "position", "live", "rebuilt", "differences");
        foreach (var check in report.Projections)
        {
            table.AddRow(
                Markup.Escape(check.Name), check.Lifecycle, $"{check.Position}", $"{check.Live}", $"{check.Rebuilt}",
                check.Differences == 0 ? "[green]0[/]" : $"[red]{check.Differences}[/]");
        }

        AnsiConsole.Write(table);
        foreach (var d in report.Differences.Take(Math.Max(0, input.ShowFlag)))
        {
            AnsiConsole.MarkupLine(
                $"[red]≠[/] {Markup.Escape(d.Projection)} [bold]{Markup.Escape(d.Document)}[/] {Markup.Escape(d.Field)}: " +
                $"live {Markup.Escape(d.Live ?? "null")}, rebuilt {Markup.Escape(d.Rebuilt ?? "null")}");
        }

        AnsiConsole.MarkupLine(report.Matches
            ? $"[green]The read models equal a rebuild from {report.Events} events[/] ({report.ElapsedMilliseconds} ms)."
            : $"[red]{report.Projections.Sum(p => p.Differences)} difference(s)[/] between the read models and a rebuild from {report.Events} events.");
        return report.Matches;
    }
}
