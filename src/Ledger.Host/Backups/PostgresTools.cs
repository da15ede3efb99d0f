using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Ledger.Host.Backups;

/// <summary>What a PostgreSQL client tool ended with: its exit code and the last lines it wrote to stderr.</summary>
public sealed record ToolRun(int ExitCode, IReadOnlyList<string> LastLines)
{
    public bool Succeeded => ExitCode == 0;

    public string Tail => string.Join(Environment.NewLine, LastLines);
}

/// <summary>
/// PostgreSQL's own client tools (<c>pg_dump</c>, <c>pg_restore</c>), run for the verbs: the tool of the server's major
/// version when it is installed (a newer one otherwise, as pg_dump requires), connected through the standard
/// <c>PG*</c> environment variables, so a password never appears on a command line.
/// </summary>
public static class PostgresTools
{
    private const int KeptLines = 20;

    /// <summary>Runs <paramref name="tool"/> against the database of <paramref name="connectionString"/>, handing each line it writes to stderr to <paramref name="line"/>.</summary>
    public static async Task<ToolRun> RunAsync(
        string tool, IReadOnlyList<string> arguments, string connectionString, string? binDirectory, Action<string> line, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(await FindAsync(tool, builder, binDirectory, ct))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in Environment(builder))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var last = new Queue<string>();
        var errors = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(ct) is { } text)
            {
                lock (last)
                {
                    last.Enqueue(text);
                    if (last.Count > KeptLines)
                    {
                        last.Dequeue();
                    }
                }

                line(text);
            }
        }, ct);
        var output = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        await errors;
        await output;
        return new ToolRun(process.ExitCode, [.. last]);
    }

    /// <summary>The database a connection string names (for messages).</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return string.Create(CultureInfo.InvariantCulture, $"database {builder.Database} on {builder.Host}:{builder.Port} as {builder.Username}");
    }

    private static IEnumerable<(string Name, string Value)> Environment(NpgsqlConnectionStringBuilder builder)
    {
        if (builder.Host is { } host)
        {
            yield return ("PGHOST", host);
        }

        yield return ("PGPORT", builder.Port.ToString(CultureInfo.InvariantCulture));
        if (builder.Database is { } database)
        {
            yield return ("PGDATABASE", database);
        }

        if (builder.Username is { } user)
        {
            yield return ("PGUSER", user);
        }

        if (builder.Password is { } password)
        {
            yield return ("PGPASSWORD", password);
        }

        if (builder.SslMode != SslMode.Prefer)
        {
            yield return ("PGSSLMODE", builder.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            });
        }

        yield return ("PGCONNECT_TIMEOUT", "15");
        yield return ("PGAPPNAME", "ledger-backup");
    }

    /// <summary>
    /// The tool: in <paramref name="binDirectory"/> when given; else the server's major version's (Debian's
    /// <c>/usr/lib/postgresql/N/bin</c>), else the newest installed there, else the one on the PATH.
    /// </summary>
    private static async Task<string> FindAsync(string tool, NpgsqlConnectionStringBuilder builder, string? binDirectory, CancellationToken ct)
    {
        if (binDirectory is not null)
        {
            var given = Path.Combine(binDirectory, tool);
            return File.Exists(given) ? given : throw new FileNotFoundException($"{tool} is not in {binDirectory}.", given);
        }

        int major;
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(ct);
            major = connection.PostgreSqlVersion.Major;
        }

        const string debian = "/usr/lib/postgresql";
        var installed = Directory.Exists(debian)
            ? Directory.GetDirectories(debian)
                .Select(d => (Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0, Path: Path.Combine(d, "bin", tool)))
                .Where(t => t.Major >= major && File.Exists(t.Path))
                .OrderBy(t => t.Major != major).ThenByDescending(t => t.Major)
                .Select(t => t.Path)
                .ToList()
            : [];
        return installed.FirstOrDefault() ?? tool;
    }
}
