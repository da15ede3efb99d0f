using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Ledger.Host.CommandLine;

/// <summary>
/// What a verb prints. On a terminal: colours, and progress drawn in place (Spectre.Console). When the output goes to a
/// file or another program: plain lines, never wrapped, so a hash, a path or a connection string is never cut across
/// two lines, and progress as a few dated lines instead of redrawn bars.
/// </summary>
public static class VerbOutput
{
    /// <summary>How wide Spectre.Console lays out what the Critter Stack's own verbs print when the output is redirected: wide enough never to wrap a value.</summary>
    private const int RedirectedWidth = 4096;

    /// <summary>Plain progress lines are at most this frequent (the first and the last are always printed).</summary>
    private static readonly TimeSpan PlainProgressEvery = TimeSpan.FromSeconds(2);

    /// <summary>Whether progress is drawn in place: an interactive terminal, output not redirected.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Once, before any verb runs: redirected output is laid out without wrapping (Spectre.Console's default is 80 columns).</summary>
    public static void Configure()
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }
    }

    public static void Line(string label, string color, string text)
    {
        if (Console.IsOutputRedirected)
        {
            Console.WriteLine(label.Length == 0 ? text : $"{label} {text}");
        }
        else
        {
            AnsiConsole.MarkupLine(label.Length == 0 ? Markup.Escape(text) : $"[{color}]{Markup.Escape(label)}[/] {Markup.Escape(text)}");
        }
    }

    public static void Line(string text) => Line(string.Empty, "default", text);

    public static bool Refuse(string reason)
    {
        Line("Refused:", "red", reason.EndsWith('.') ? reason : reason + ".");
        return false;
    }

    /// <summary>
    /// Runs long work that reports what it is doing: on a terminal as a status line redrawn in place; redirected as
    /// plain lines (<c>title: message</c>), the first and last report and at most one every two seconds between.
    /// </summary>
    public static async Task<T> ProgressAsync<T>(string title, Func<IProgress<string>, Task<T>> work)
    {
        if (Interactive)
        {
            return await AnsiConsole.Status().StartAsync(Markup.Escape(title) + "…", context =>
                work(new Reporter(message => context.Status(Markup.Escape($"{title}: {message}")))));
        }

        var plain = new PlainProgress(title);
        try
        {
            return await work(plain);
        }
        finally
        {
            plain.Flush();
        }
    }

    /// <summary><see cref="ProgressAsync{T}"/> for work without a result.</summary>
    public static Task ProgressAsync(string title, Func<IProgress<string>, Task> work) =>
        ProgressAsync<bool>(title, async progress =>
        {
            await work(progress);
            return true;
        });

    /// <summary>A running count (events exported, checked, …) reported through a verb's progress as "12,345 <paramref name="what"/>".</summary>
    public static IProgress<long> Counting(IProgress<string> progress, string what) =>
        new Counter(n => progress.Report(string.Create(CultureInfo.InvariantCulture, $"{n:N0} {what}")));

    /// <summary>Reports on the caller's thread, in order (<see cref="Progress{T}"/> would post them to the thread pool, out of order and late).</summary>
    private sealed class Reporter(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    private sealed class Counter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private sealed class PlainProgress(string title) : IProgress<string>
    {
        private readonly Lock _gate = new();
        private readonly Stopwatch _since = new();
        private string? _pending;

        public void Report(string value)
        {
            lock (_gate)
            {
                if (_since.IsRunning && _since.Elapsed < PlainProgressEvery)
                {
                    _pending = value;
                    return;
                }

                Write(value);
            }
        }

        public void Flush()
        {
            lock (_gate)
            {
                if (_pending is { } last)
                {
                    Write(last);
                }
            }
        }

        private void Write(string value)
        {
            Console.WriteLine($"{title}: {value}");
            _pending = null;
            _since.Restart();
        }
    }
}
