using System.Security.Claims;
using System.Text.Json;
using Ledger.Domain.Commitments;
using Ledger.Domain.Commitments.Pledging;
using Ledger.Domain.Common;
using Ledger.Domain.Importing;
using Ledger.Host.Hosting;
using Ledger.Host.Importing;
using Ledger.Host.Security;
using Ledger.Host.Writing.Idempotency;
using Ledger.Projections;
using Ledger.Projections.Commitments;
using Marten;
using JasperFx;
using Marten.Events;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Ledger.Host.Writing;

/// <summary>Decides with the commitment's current state, the reference data, the caller and the ledger's instant.</summary>
public delegate Decision Decide(Commitment current, ReferenceCatalog catalog, Actor by, Instant now);

/// <summary>
/// The one place where a write meets the event store. Every write endpoint hands it a pure decision;
/// the writer loads the commitment, checks the expected version and the caller's right to act,
/// records the events with the request's ids (<see cref="RequestIds"/>), the caller's reference and
/// idempotency key in one transaction,
/// and turns every outcome into an answer: 2xx, 4xx problem details, or 409 on a concurrent write.
/// A refused or failed request records nothing.
/// </summary>
public sealed class CommitmentWriter(IDocumentStore store, IClock clock, IOptions<IdempotencyOptions> idempotency, ReferenceData reference, CommitmentAppender appender)
{
    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>How many times a write without <c>If-Match</c> decides again after another write moved the commitment on.</summary>
    public const int Attempts = 3;

    /// <summary>
    /// Appends the decided events to an existing commitment (<see cref="CommitmentAppender"/>): in one round trip
    /// when this host keeps the commitment at the expected version, with a load before it otherwise. A refusal
    /// decided on a kept model is decided again on a fresh load, so it is only ever given on the stream's current
    /// state. Without an expected version, a write another one overtook decides again on the newer state, up to
    /// <see cref="Attempts"/> times.
    /// <para>
    /// The reference catalog kept between writes may lag behind one another host just changed; that holds for
    /// acceptances because the reference data only grows (a meeting, an organization or a framework is registered
    /// once and never changes or leaves: its read model is created by its registration and nothing else applies to
    /// it), so a code known to a kept catalog is known to the current one; a refusal is decided on a fresh load of both.
    /// </para>
    /// </summary>
    public async Task<IResult> AppendAsync(
        HttpContext http, string code, long? expectedVersion, Decide decide, CancellationToken ct,
        Func<Commitment, ClaimsPrincipal, string?>? forbidden = null)
    {
        if (!ExpectedVersion.TryRead(http.Request, expectedVersion, out var expected, out var versionError))
        {
            return Problems.BadRequest("If-Match", versionError!);
        }

        code = code.ToUpperInvariant();
        var model = appender.Kept(code);
        var catalog = reference.Current?.Catalog;
        var fresh = false;
        if (model is null || (expected is { } wanted && model.Version != wanted) || catalog is null)
        {
            (model, catalog, fresh) = await LoadAsync(code, ct);
        }

        var context = new AppendContext(http.RequestIds().CorrelationId, http.RequestIds().CausationId, Headers(http));
        for (var attempt = 1; ; attempt++)
        {
            if (model is null)
            {
                return Problems.NotFound("Commitment", code);
            }

            if (expected is { } v && model.Version != v)
            {
                return StaleVersion(code, expected);
            }

            var current = model.View.ToCommitment();
            var now = clock.GetCurrentInstant();
            var reason = forbidden?.Invoke(current, http.User);
            var decision = reason is null ? decide(current, catalog!, http.User.ToActor(), now) : null;
            if (reason is not null || decision!.IsRefused)
            {
                if (!fresh)
                {
                    (model, catalog, fresh) = await LoadAsync(code, ct);
                    continue;
                }

                return reason is not null ? Problems.Forbidden(reason) : Problems.Refused(decision!.Refusals);
            }

            var result = Result(current, decision, now);
            var (response, record) = Answered(http, new Answer(StatusCodes.Status200OK, result, Version: result.Version));
            var recorded = record is null ? context : context with { Record = (record.Id, store.Options.Serializer().ToJson(record)) };
            switch ((await appender.AppendAsync(model, decision.Events, recorded, ct)).Outcome)
            {
                case AppendOutcome.Written:
                    return new StoredAnswer(response);
                case AppendOutcome.AlreadyRecorded:
                    return RecordedConcurrently(http);
                case AppendOutcome.StaleVersion when expected is not null || attempt == Attempts:
                    return StaleVersion(code, expected);
                default:
                    (model, catalog, fresh) = await LoadAsync(code, ct);
                    break;
            }
        }
    }

    /// <summary>The commitment's write model (null when there is no such commitment) and the catalog, as they are now.</summary>
    private async Task<(WriteModel? Model, ReferenceCatalog Catalog, bool Fresh)> LoadAsync(string code, CancellationToken ct)
    {
        var (model, stamp) = await appender.LoadAsync(code, ct);
        var (_, catalog) = await reference.CatalogAtAsync(stamp, ct);
        return (model, catalog, true);
    }

    /// <summary>Starts a commitment's stream with its pledge.</summary>
    public async Task<IResult> PledgeAsync(HttpContext http, PledgeCommitment command, CancellationToken ct)
    {
        await using var session = OpenSession(http);
        var catalog = await reference.CatalogAsync(session, ct);
        var now = clock.GetCurrentInstant();
        var decision = command.Decide(catalog, http.User.ToActor(), now);
        if (decision.IsRefused)
        {
            return Problems.Refused(decision.Refusals);
        }

        var pledged = (CommitmentPledged)decision.Events[0];
        session.Events.StartStream<Commitment>(StreamKeys.Commitment(pledged.Code), decision.Events);
        var result = new WriteResult(pledged.Code, decision.Events.Count, pledged.Status, EventNames(decision), now);
        try
        {
            return await CommitAsync(http, session, new Answer(StatusCodes.Status201Created, result, $"/api/commitments/{result.Code}", result.Version), ct);
        }
        catch (ExistingStreamIdCollisionException)
        {
            return Problems.Conflict("Commitment already exists", $"A commitment with the code '{pledged.Code}' is already in the ledger.");
        }
    }

    /// <summary>Records decisions on several commitments in one transaction: all of them, or none.</summary>
    public async Task<IResult> AppendBatchAsync(
        HttpContext http, string meeting, IReadOnlyList<(string Code, long? ExpectedVersion, Decide Decide)> items, CancellationToken ct)
    {
        await using var session = OpenSession(http);
        var now = clock.GetCurrentInstant();
        var actor = http.User.ToActor();
        var refusals = new List<Refusal>();
        var results = new List<WriteResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            // Every commitment of the batch, its chain's last link and the catalog's stamp in one round trip.
            var batch = session.CreateBatchQuery();
            var fetched = new Task<JasperFx.Events.IEventStream<CommitmentView>>?[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                var code = items[i].Code.ToUpperInvariant();
                if (seen.Add(code))
                {
                    fetched[i] = session.FetchCommitmentForWriting(batch, code, items[i].ExpectedVersion);
                }
            }

            var stamp = ReferenceData.ReadStamp(batch);
            await batch.Execute(ct);
            var catalog = await reference.CatalogAsync(session, stamp, ct);
            for (var i = 0; i < items.Count; i++)
            {
                var (code, _, decide) = items[i];
                code = code.ToUpperInvariant();
                if (fetched[i] is not { } fetch)
                {
                    refusals.Add(new Refusal($"{code} appears more than once in the batch", $"reviews[{i}].commitment"));
                    continue;
                }

                var stream = await fetch;
                if (stream.Aggregate?.ToCommitment() is not { } current)
                {
                    refusals.Add(new Refusal($"no commitment has the code '{code}'", $"reviews[{i}].commitment", RefusalKind.Unknown));
                    continue;
                }

                var decision = decide(current, catalog, actor, now);
                if (decision.IsRefused)
                {
                    refusals.AddRange(decision.Refusals.Select(r => r with { Field = $"reviews[{i}].{r.Field ?? "body"}" }));
                    continue;
                }

                stream.AppendMany(decision.Events);
                results.Add(Result(current, decision, now));
            }

            if (refusals.Count > 0)
            {
                return Problems.Refused(refusals);
            }

            return await CommitAsync(http, session, new Answer(StatusCodes.Status200OK, new BatchResult(meeting, results)), ct);
        }
        catch (ConcurrencyException e)
        {
            return Problems.Conflict("Stale version", $"A commitment of the batch changed since it was read ({e.Message}); nothing was recorded. Read the commitments again and retry.");
        }
    }

    /// <summary>
    /// Imports a matrix of pledges (<see cref="LedgerImporter.ImportMatrixAsync"/>) in this request's transaction, with
    /// its ids and idempotency record, and answers with its report: 200 with what was created and what was already
    /// present, or 422 with every refused line when any is refused (nothing is recorded then).
    /// </summary>
    public async Task<IResult> ImportAsync(HttpContext http, LedgerImporter importer, IReadOnlyList<PledgeLine> lines, CancellationToken ct)
    {
        StoredResponse? stored = null;
        ImportReport report;
        try
        {
            report = await importer.ImportMatrixAsync(lines, http.User.ToActor(), new ImportTransaction(
                () => OpenSession(http),
                (session, planned) => stored = Stage(http, session, new Answer(StatusCodes.Status200OK, Imported(planned)))), ct);
        }
        catch (ExistingStreamIdCollisionException e)
        {
            return Problems.Conflict("Commitment already exists", $"Another writer recorded one of these commitments concurrently ({e.Message}); nothing was recorded. Retry the import.");
        }
        catch (DocumentAlreadyExistsException)
        {
            return RecordedConcurrently(http);
        }

        if (report.Refused.Count == 0)
        {
            return stored is { } response ? new StoredAnswer(response) : Results.Json(Imported(report), ApiJson.Options);
        }

        var codes = lines.ToDictionary(l => l.Entry, l => l.Command.Code, StringComparer.Ordinal);
        var refused = report.Refused.Select(r => new RefusedLine(r.Entry, codes.GetValueOrDefault(r.Entry), r.Reasons
                .GroupBy(x => x.Field ?? "body")
                .ToDictionary(g => g.Key, g => g.Select(x => x.Reason).ToArray())))
            .ToList();
        return Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "The matrix was refused",
            detail: $"{refused.Count} of {lines.Count} lines were refused; nothing was recorded.",
            type: Problems.TypeBase + "import-refused",
            extensions: new Dictionary<string, object?>
            {
                ["created"] = Array.Empty<string>(),
                ["alreadyPresent"] = report.AlreadyPresent,
                ["refused"] = refused,
            });
    }

    private static ImportResult Imported(ImportReport report) => new(report.Created, report.AlreadyPresent, []);

    private IDocumentSession OpenSession(HttpContext http)
    {
        var session = store.LightweightSession();
        var ids = http.RequestIds();
        session.CorrelationId = ids.CorrelationId;
        session.CausationId = ids.CausationId;
        session.LastModifiedBy = http.User.User();
        foreach (var (name, value) in Headers(http))
        {
            session.SetHeader(name, value);
        }

        return session;
    }

    /// <summary>The headers every event of the request carries: the request, the caller's reference, the idempotency key.</summary>
    private static Dictionary<string, string> Headers(HttpContext http)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal) { ["request"] = $"{http.Request.Method} {http.Request.Path}" };
        if (http.RequestIds().CallerReference is { } reference)
        {
            headers[RequestContext.CallerReferenceHeader] = reference;
        }

        if (http.Features.Get<IdempotencyFeature>() is { } idempotent)
        {
            headers[RequestContext.IdempotencyKeyHeader] = idempotent.Key;
        }

        return headers;
    }

    /// <summary>
    /// Commits, with the idempotency record and the answer it will replay in the same transaction, so a
    /// retry always gets exactly this answer, even if the host stops right after the commit. Returns the answer,
    /// or a 409 when another request with the same key committed first.
    /// </summary>
    private async Task<IResult> CommitAsync(HttpContext http, IDocumentSession session, Answer answer, CancellationToken ct)
    {
        var response = Stage(http, session, answer);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException)
        {
            return RecordedConcurrently(http);
        }

        return new StoredAnswer(response);
    }

    /// <summary>The answer as stored, staged in <paramref name="session"/> with the request's idempotency record when it has a key.</summary>
    private StoredResponse Stage(HttpContext http, IDocumentSession session, Answer answer)
    {
        var (response, record) = Answered(http, answer);
        if (record is not null)
        {
            session.Insert(record);
        }

        return response;
    }

    /// <summary>The answer as stored, and the idempotency record that keeps it when the request has a key.</summary>
    private (StoredResponse Response, IdempotentRequest? Record) Answered(HttpContext http, Answer answer)
    {
        var response = new StoredResponse(
            answer.StatusCode, JsonContentType, answer.Location, answer.Version is { } version ? $"\"{version}\"" : null,
            JsonSerializer.Serialize(answer.Body, answer.Body.GetType(), ApiJson.Options));
        if (http.Features.Get<IdempotencyFeature>() is not { } feature)
        {
            return (response, null);
        }

        var now = clock.GetCurrentInstant();
        var retention = idempotency.Value.Retention < TimeSpan.FromHours(24) ? TimeSpan.FromHours(24) : idempotency.Value.Retention;
        return (response, new IdempotentRequest
        {
            Id = feature.Id,
            Key = feature.Key,
            User = feature.User,
            RequestHash = feature.RequestHash,
            RecordedAt = now,
            ExpiresAtUnixSeconds = (now + Duration.FromTimeSpan(retention)).ToUnixTimeSeconds(),
            Response = response,
        });
    }

    /// <summary>Another request with the same key committed first: this one records nothing.</summary>
    private static IResult RecordedConcurrently(HttpContext http) => Problems.Conflict("Request already recorded",
        $"A request with Idempotency-Key '{http.Features.Get<IdempotencyFeature>()?.Key}' was recorded concurrently; retry to get its answer.");

    private static WriteResult Result(Commitment current, Decision decision, Instant now)
    {
        var after = decision.Events.Aggregate(current, (state, e) => state.Then(e));
        return new WriteResult(current.Code, current.Version + decision.Events.Count, after.Status, EventNames(decision), now);
    }

    private static string[] EventNames(Decision decision) =>
        [.. decision.Events.Select(e => LedgerStore.EventTypeNames[e.GetType()])];

    private static IResult StaleVersion(string code, long? expected) => Problems.Conflict(
        "Stale version",
        expected is { } v
            ? $"Commitment {code} is no longer at version {v}: someone else recorded a change. Read it again (its ETag is the current version) and retry."
            : $"Commitment {code} changed while this request was being decided; nothing was recorded. Retry.");

    /// <summary>What a committed write answers: status, JSON body, and where it applies the new version or resource.</summary>
    private sealed record Answer(int StatusCode, object Body, string? Location = null, long? Version = null);
}
