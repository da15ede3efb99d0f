using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.Reliability.Tests.Support;

/// <summary>What a client knows of one write it attempted.</summary>
public enum Outcome
{
    /// <summary>2xx received: the ledger promised it is recorded.</summary>
    Acknowledged,

    /// <summary>A 4xx answer, or the connection was refused before anything was sent: certainly not recorded.</summary>
    Refused,

    /// <summary>A 5xx, a reset or a timeout: it may or may not have been recorded.</summary>
    Unknown,
}

public sealed record Attempt(string Id, int Writer, Outcome Outcome, int Status, bool ProblemBody, TimeSpan Took);

/// <summary>
/// The set test (Jepsen's method): several clients write distinct, identifiable events — review decisions
/// whose remarks carry a unique id, each client on a commitment of its own, so they never contend — and log
/// what they were told about each one. <see cref="CheckAsync"/> then reads what the ledger holds: every
/// acknowledged write must be there exactly once, every refused one absent, the unknown ones either.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private readonly string _tag;
    private long _next;

    private WriteLoad(string tag) => _tag = tag;

    /// <summary>Every attempt so far, in no particular order.</summary>
    public IReadOnlyCollection<Attempt> Attempts => _attempts;

    /// <summary>
    /// Starts one writer per commitment in <paramref name="codes"/>; writer <c>i</c> sends to
    /// <c>clients[i % clients.Count]</c> (several hosts), as fast as answers come, until stopped.
    /// </summary>
    public static WriteLoad Start(string tag, IReadOnlyList<HttpClient> clients, IReadOnlyList<string> codes)
    {
        var load = new WriteLoad(tag);
        for (var i = 0; i < codes.Count; i++)
        {
            var writer = i;
            load._writers.Add(Task.Run(() => load.WriteAsync(writer, clients[writer % clients.Count], codes[writer])));
        }

        return load;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>Waits until at least <paramref name="count"/> more writes have been acknowledged (bounded by <paramref name="timeout"/>).</summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan timeout)
    {
        var target = Acknowledged + count;
        var watch = Stopwatch.StartNew();
        while (Acknowledged < target && watch.Elapsed < timeout)
        {
            await Task.Delay(20);
        }
    }

    public int Acknowledged => _attempts.Count(a => a.Outcome == Outcome.Acknowledged);

    private async Task WriteAsync(int writer, HttpClient client, string code)
    {
        while (!_stop.IsCancellationRequested)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"{_tag}-{Interlocked.Increment(ref _next)}");
            var watch = Stopwatch.StartNew();
            try
            {
                var answer = await LedgerApi.ReviewAsync(client, code, id);
                var outcome = answer.IsSuccess ? Outcome.Acknowledged : (int)answer.Status < 500 ? Outcome.Refused : Outcome.Unknown;
                _attempts.Enqueue(new Attempt(id, writer, outcome, (int)answer.Status, answer.IsProblem, answer.Took));
                if (outcome != Outcome.Acknowledged)
                {
                    await Pause();
                }
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // Nothing listens (the host is down): the request never left the client.
                _attempts.Enqueue(new Attempt(id, writer, Outcome.Refused, 0, false, watch.Elapsed));
                await Pause();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // Sent, and then the connection broke or the answer never came.
                _attempts.Enqueue(new Attempt(id, writer, Outcome.Unknown, 0, false, watch.Elapsed));
                await Pause();
            }
        }
    }

    private async Task Pause()
    {
        try
        {
            await Task.Delay(50, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Reads every write of this load the ledger holds (how often each id appears) and compares it with what the clients were told.</summary>
    public async Task<SetCheck> CheckAsync(TestDatabase database)
    {
        var present = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select data ->> 'remarks', count(*) from ledger.mt_events where type = 'review-decision-recorded' and starts_with(data ->> 'remarks', @tag) group by 1",
                connection);
            command.Parameters.AddWithValue("tag", _tag + "-");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                present[reader.GetString(0)] = (int)reader.GetInt64(1);
            }
        }

        var attempts = _attempts.ToList();
        var ids = attempts.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        int Count(Outcome outcome, Func<int, bool> times) => attempts.Count(a => a.Outcome == outcome && times(present.GetValueOrDefault(a.Id)));
        return new SetCheck(
            Attempted: attempts.Count,
            Acknowledged: attempts.Count(a => a.Outcome == Outcome.Acknowledged),
            AcknowledgedPresentOnce: Count(Outcome.Acknowledged, n => n == 1),
            Lost: Count(Outcome.Acknowledged, n => n == 0),
            Duplicated: present.Count(p => p.Value > 1),
            Unknown: attempts.Count(a => a.Outcome == Outcome.Unknown),
            UnknownPresent: Count(Outcome.Unknown, n => n == 1),
            RefusedPresent: Count(Outcome.Refused, n => n > 0),
            Foreign: present.Keys.Count(id => !ids.Contains(id)));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }
}

/// <summary>The set test's verdict: what the ledger holds against what the clients were told.</summary>
public sealed record SetCheck(
    int Attempted, int Acknowledged, int AcknowledgedPresentOnce, int Lost, int Duplicated, int Unknown, int UnknownPresent, int RefusedPresent, int Foreign)
{
    public bool Holds => Lost == 0 && Duplicated == 0 && RefusedPresent == 0 && Foreign == 0 && AcknowledgedPresentOnce == Acknowledged;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Acknowledged} acknowledged, {AcknowledgedPresentOnce} present once, {Lost} lost, {Duplicated} duplicated; " +
        $"{Unknown} unacknowledged, {UnknownPresent} of them present");
}
