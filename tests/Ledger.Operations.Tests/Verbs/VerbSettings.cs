using System.Text.Json;
using Npgsql;
using Shouldly;

namespace Ledger.Operations.Tests.Verbs;

/// <summary>How these tests run the host's verbs: as processes, with the settings ./run.sh gives them, in a folder of files of their own.</summary>
internal static class VerbSettings
{
    /// <summary>The key tokens are signed with (base64 of 32 bytes; for tests only).</summary>
    public const string SigningKey = "dGVzdC1vbmx5LXNpZ25pbmcta2V5LTMyLWJ5dGVzISE=";

    /// <summary>Two lines of a meeting's matrix, as CSV without a meeting column (import it with <c>--meeting AST-2024</c>).</summary>
    public const string MatrixLines = """
        code,title,kind,leads,partners,countries,workingSession,topic,dueDate
        AST-2024-20,"Water security, Central Asia",programme,IOFS;FAO,UN,KAZ;TJK,2,Water issues,2026-12-31
        AST-2024-21,"Vocational training for ""green"" jobs",programme,IOFS,,,2,Technical and vocational training,
        """;

    /// <summary>What ./run.sh gives a verb: both roles' connections and the signing key.</summary>
    public static Dictionary<string, string> Owner(TestDatabase database) => new(database.OwnerSettings)
    {
        ["Ledger:Auth:SigningKey"] = SigningKey,
    };

    /// <summary>What a serving host (and an auditor's verb) gets: the runtime role's connection only.</summary>
    public static Dictionary<string, string> Runtime(TestDatabase database) => new()
    {
        ["ConnectionStrings:Ledger"] = database.ConnectionString,
        ["Ledger:Auth:SigningKey"] = SigningKey,
    };

    /// <summary>Runs a verb that must succeed; its output is in the failure message otherwise.</summary>
    public static async Task<LedgerVerb.Outcome> SucceedsAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings)
    {
        var run = await LedgerVerb.RunAsync(arguments, settings, TimeSpan.FromMinutes(3));
        run.ExitCode.ShouldBe(0, $"{string.Join(' ', arguments)}:\n{run.Output}");
        return run;
    }

    /// <summary>Runs a verb that must fail (exit code 1); returns what it printed.</summary>
    public static async Task<LedgerVerb.Outcome> FailsAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> settings)
    {
        var run = await LedgerVerb.RunAsync(arguments, settings, TimeSpan.FromMinutes(3));
        run.ExitCode.ShouldBe(1, $"{string.Join(' ', arguments)}:\n{run.Output}");
        return run;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static Task<long> EventCountAsync(TestDatabase database) => ScalarAsync(database.OwnerConnectionString, "select count(*) from ledger.mt_events");

    public static JsonElement ReadJson(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
}

/// <summary>A folder of its own for a test's files, removed afterwards.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ledger-verbs-").FullName;

    public string File(string name) => System.IO.Path.Combine(Root, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
