using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using JasperFx.CommandLine;
using Ledger.Domain.Audit;
using Ledger.Domain.Audit.TreeHeads;
using Ledger.Host.CommandLine;
using Ledger.Host.Hosting;
using NodaTime;

namespace Ledger.Host.Audit.TreeHeads;

public sealed class WitnessInput : NetCoreInput
{
    /// <summary>The environment variable the auditor's token may come from instead of <c>--token</c>.</summary>
    public const string TokenVariable = "LEDGER_TOKEN";

    [Description("The ledger's address, e.g. http://127.0.0.1:5080")]
    [FlagAlias("url", 'u')]
    public string? UrlFlag { get; set; }

    [Description("The witness's own folder: its key, its append-only log, the cosigned heads and any evidence of a fork (default ./witness)")]
    [FlagAlias("state", 's')]
    public string StateFlag { get; set; } = "witness";

    [Description("An auditor's bearer token for the ledger (default: the environment variable " + TokenVariable + ")")]
    [FlagAlias("token", 't')]
    public string? TokenFlag { get; set; }

    [Description("The ledger's public key(s) to trust (PEM); without it, the key that signed the newest head is pinned on first use")]
    [FlagAlias("public-key", 'k')]
    public string? PublicKeyFlag { get; set; }

    [Description("The witness's name in its cosignatures, set on first use (default witness.<machine name>)")]
    [FlagAlias("name", 'n')]
    public string? NameFlag { get; set; }
}

/// <summary>
/// <c>witness --url URL [--state DIR]</c>: what an independent party runs against a ledger. It fetches the heads the
/// ledger signed since the last one it accepted, checks each one's signature with the keys it pinned and its
/// consistency with the head before, countersigns the newest, and keeps all of it in its own append-only log. Two
/// heads that cannot both be true (one size, two roots; or a head that does not extend the last one seen) are proof
/// of a forked history: both are saved as evidence and the exit code is non-zero.
/// </summary>
[Description("Witness a ledger: check its newest signed tree head against the last one seen, countersign it, and report a forked history", Name = "witness")]
public sealed class WitnessCommand : JasperFxAsyncCommand<WitnessInput>
{
    private const int PageSize = 100;

    /// <summary>The witness's own clock: it dates its log and its evidence, nothing it signs.</summary>
    private static readonly IClock Clock = SystemClock.Instance;

    public override async Task<bool> Execute(WitnessInput input)
    {
        if (!Uri.TryCreate(input.UrlFlag, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return Refuse("--url must be the ledger's http(s) address, e.g. http://127.0.0.1:5080");
        }

        var token = input.TokenFlag ?? Environment.GetEnvironmentVariable(WitnessInput.TokenVariable);
        if (string.IsNullOrWhiteSpace(token))
        {
            return Refuse($"The ledger's heads are for auditors: give an auditor's token with --token or {WitnessInput.TokenVariable}");
        }

        var name = input.NameFlag ?? "witness." + new string([.. Environment.MachineName.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '-')]);
        if (!SignedNote.IsKeyName(name))
        {
            return Refuse("--name must be a name without spaces or '+'");
        }

        var clock = Clock;
        using var state = WitnessState.Open(Path.GetFullPath(input.StateFlag), name, clock.GetCurrentInstant());
        if (input.PublicKeyFlag is not null)
        {
            if (!TreeHeadFiles.TryReadPublicKeys(input.PublicKeyFlag, out var given, out var error))
            {
                return Refuse(error);
            }

            foreach (var key in given)
            {
                state.Pin(key, $"given with --public-key {input.PublicKeyFlag}", clock.GetCurrentInstant());
            }
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        var ledger = new LedgerClient(http);
        try
        {
            return await WitnessAsync(ledger, state, clock);
        }
        catch (LedgerClient.RefusedException e)
        {
            return Refuse(e.Message);
        }
        catch (HttpRequestException e)
        {
            return Refuse($"the ledger at {url} could not be reached: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            return Refuse($"the ledger at {url} did not answer within 30 s");
        }
    }

    private static async Task<bool> WitnessAsync(LedgerClient ledger, WitnessState state, IClock clock)
    {
        var newest = await ledger.LatestAsync();
        VerbOutput.Line($"The ledger's newest head: {Describe(newest)}.");
        if (state.Last is not { } last)
        {
            if (state.Pinned.Count == 0)
            {
                var key = await ledger.KeyAsync(newest.Head.Head.KeyFingerprint)
                          ?? throw new LedgerClient.RefusedException($"the ledger does not publish the key {newest.Head.Head.KeyIdHex} that signed its newest head");
                state.Pin(key, "first use: the key of the newest head", clock.GetCurrentInstant());
                VerbOutput.Line("Pinned:", "green", $"the ledger's key {key.KeyIdHex} (sha256 {key.Fingerprint}), on first use.");
            }

            return await DecideAsync(ledger, state, null, newest, clock) && Cosign(state, clock);
        }

        if (newest.Id is { } newestId && last.Id is { } lastId && newestId > lastId)
        {
            // Every head since the last one accepted, each checked against the one before it.
            var checkedHeads = 0;
            var ok = true;
            await VerbOutput.ProgressAsync("Checking the ledger's heads", async progress =>
            {
                var after = lastId;
                for (var page = 0; ok && page <= ((newestId - lastId) / PageSize) + 1; page++)
                {
                    var heads = await ledger.PageAsync(after, PageSize);
                    foreach (var head in heads.Items)
                    {
                        ok = await DecideAsync(ledger, state, state.Last, head, clock);
                        if (!ok)
                        {
                            break;
                        }

                        after = head.Id ?? after;
                        progress.Report(string.Create(CultureInfo.InvariantCulture, $"{++checkedHeads:N0} of {newestId - lastId:N0}"));
                    }

                    if (heads.Next is null || after >= newestId)
                    {
                        break;
                    }
                }
            });
            VerbOutput.Line(string.Create(CultureInfo.InvariantCulture, $"Checked {checkedHeads:N0} head{(checkedHeads == 1 ? string.Empty : "s")} since the last one seen."));
            return ok && Cosign(state, clock);
        }

        // The ledger's newest head is not after the last one seen: it is that head, or another history.
        return await DecideAsync(ledger, state, last, newest, clock) && Cosign(state, clock);
    }

    /// <summary>Decides about one offered head; records what was decided; false unless it was accepted (or is the last one seen).</summary>
    private static async Task<bool> DecideAsync(LedgerClient ledger, WitnessState state, HeldHead? last, HeldHead offered, IClock clock)
    {
        var proof = offered.FromPrevious;
        if (last is not null && (proof is null || proof.FromSize != last.Head.Head.TreeSize) && offered.Head.Head.TreeSize > last.Head.Head.TreeSize)
        {
            proof = await ledger.ConsistencyAsync(last.Head.Head.TreeSize, offered.Head.Head.TreeSize);
        }

        var announced = state.Pinned.Any(k => k.Fingerprint == offered.Head.Head.KeyFingerprint)
            ? null
            : await ledger.KeyAsync(offered.Head.Head.KeyFingerprint);
        var decision = Witnessing.Next(last?.Head, offered.Head, proof, state.Pinned, announced);
        var now = clock.GetCurrentInstant();
        switch (decision.Verdict)
        {
            case WitnessVerdict.Accepted:
                if (decision.NewKey is { } newKey)
                {
                    state.Pin(newKey, string.Create(CultureInfo.InvariantCulture, $"rotation: named by ledger head {offered.Id} and signed by a key already pinned"), now);
                    VerbOutput.Line("Pinned:", "green", $"the ledger's new key {newKey.KeyIdHex} (sha256 {newKey.Fingerprint}): a head signed by a key already pinned names it.");
                }

                state.Accept(offered, decision.Explanation, now);
                return true;
            case WitnessVerdict.Unchanged:
                VerbOutput.Line("Nothing new:", "grey", decision.Explanation + ".");
                return true;
            case WitnessVerdict.Fork:
                var evidence = state.RecordFork(last!, offered, proof, decision.Explanation, now);
                VerbOutput.Line("FORK:", "red", decision.Explanation + ".");
                VerbOutput.Line("Evidence:", "red", $"both signed heads are saved in {evidence}");
                return false;
            default:
                return Refuse(decision.Explanation);
        }
    }

    private static bool Cosign(WitnessState state, IClock clock)
    {
        if (state.LastCosigned)
        {
            VerbOutput.Line("Nothing new:", "grey", $"{Describe(state.Last!)} is already cosigned.");
            return true;
        }

        var path = state.CosignLast(clock.GetCurrentInstant());
        VerbOutput.Line("Cosigned:", "green", $"{Describe(state.Last!)} as {state.Name} (key {state.Key.PublicKey.KeyIdHex}), in");
        Console.WriteLine(path);
        return true;
    }

    private static string Describe(HeldHead head) => string.Create(CultureInfo.InvariantCulture,
        $"head {head.Id?.ToString(CultureInfo.InvariantCulture) ?? "?"} of {head.Head.Head.TreeSize} events, root {head.Head.Head.RootHash[..16]}…, {head.Head.Head.Time}");

    private static bool Refuse(string reason) => VerbOutput.Refuse(reason);

    /// <summary>The ledger's tree-head routes, as an auditor calls them; any other answer than the expected one is a <see cref="RefusedException"/>.</summary>
    private sealed class LedgerClient(HttpClient http)
    {
        private Dictionary<string, NotePublicKey>? _keys;

        public async Task<HeldHead> LatestAsync()
        {
            using var document = await GetAsync("/api/ledger/tree-heads/latest");
            return TreeHeadFiles.TryReadEntry(document.RootElement, out var head, out var error)
                ? head
                : throw new RefusedException($"the ledger's newest head is malformed: {error}");
        }

        public async Task<(IReadOnlyList<HeldHead> Items, long? Next)> PageAsync(long after, int limit)
        {
            using var document = await GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/ledger/tree-heads?after={after}&limit={limit}"));
            var items = new List<HeldHead>();
            foreach (var entry in ArrayOf(document, "items", "a page of heads"))
            {
                items.Add(TreeHeadFiles.TryReadEntry(entry, out var head, out var error)
                    ? head
                    : throw new RefusedException($"a head the ledger lists after {after} is malformed: {error}"));
            }

            var next = document.RootElement.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out var value) ? value : (long?)null;
            return (items, next);
        }

        public async Task<ConsistencyProof?> ConsistencyAsync(long from, long to)
        {
            using var document = await GetAsync(string.Create(CultureInfo.InvariantCulture, $"/api/ledger/proofs/consistency?from={from}&to={to}"), allowRefusal: true);
            try
            {
                return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("proof", out _)
                    ? document.RootElement.Deserialize<ConsistencyProof>(ApiJson.Options)
                    : null;
            }
            catch (JsonException)
            {
                return null; // no proof is what it is: the head is then not proved to extend the last one
            }
        }

        /// <summary>The published public key with this fingerprint, checked to hash to it; null when none does.</summary>
        public async Task<NotePublicKey?> KeyAsync(string fingerprint)
        {
            if (_keys is null)
            {
                _keys = [];
                using var document = await GetAsync("/api/ledger/tree-heads/keys");
                foreach (var key in ArrayOf(document, "keys", "the ledger's keys"))
                {
                    if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("publicKey", out var pem) && pem.ValueKind == JsonValueKind.String
                        && NotePublicKey.TryParsePem(pem.GetString()!, out var parsed, out _))
                    {
                        foreach (var k in parsed)
                        {
                            _keys[k.Fingerprint] = k; // keyed by the fingerprint computed here, never by what the listing claims
                        }
                    }
                }
            }

            return _keys.GetValueOrDefault(fingerprint);
        }

        private static JsonElement.ArrayEnumerator ArrayOf(JsonDocument document, string property, string what) =>
            document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray()
                : throw new RefusedException($"the ledger's answer is not {what}: it has no '{property}' list");

        private async Task<JsonDocument> GetAsync(string path, bool allowRefusal = false)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode && !(allowRefusal && response.StatusCode == HttpStatusCode.BadRequest))
            {
                throw new RefusedException(string.Create(CultureInfo.InvariantCulture,
                    $"GET {path} answered {(int)response.StatusCode}: {ProblemDetail(body)}"));
            }

            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                throw new RefusedException($"GET {path} did not answer JSON: {e.Message}");
            }
        }

        private static string ProblemDetail(string body)
        {
            try
            {
                using var problem = JsonDocument.Parse(body);
                return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
            }
            catch (JsonException)
            {
                return body.Length > 200 ? body[..200] : body;
            }
        }

        public sealed class RefusedException(string message) : Exception(message);
    }
}
