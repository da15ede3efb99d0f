using JasperFx.CommandLine;
using Ledger.Host.CommandLine;
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

        var report = await VerbOutput.ProgressAsync("Verifying the projections", progress => verifier.VerifyAsync(progress));
        if (!VerbOutput.Interactive)
        {
            // Plain lines, one per projection and per difference, for a log or another program.
            foreach (var check in report.Projections)
            {
                VerbOutput.Line($"{check.Name}: {check.Lifecycle}, position {check.Position}, {check.Live} live, {check.Rebuilt} rebuilt, {check.Differences} differences");
            }

            foreach (var d in report.Differences.Take(Math.Max(0, input.ShowFlag)))
            {
                VerbOutput.Line($"≠ {d.Projection} {d.Document} {d.Field}: live {d.Live ?? "null"}, rebuilt {d.Rebuilt ?? "null"}");
            }

            return Verdict(report);
        }

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

        return Verdict(report);
    }

    private static bool Verdict(VerificationReport report)
    {
        VerbOutput.Line(report.Matches
            ? $"The read models equal a rebuild from {report.Events} events ({report.ElapsedMilliseconds} ms)."
            : $"{report.Projections.Sum(p => p.Differences)} difference(s) between the read models and a rebuild from {report.Events} events.");
        return report.Matches;
    }
}
