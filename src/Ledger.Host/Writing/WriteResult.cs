using Ledger.Domain.Commitments;
using NodaTime;

namespace Ledger.Host.Writing;

/// <summary>What a write answers: the commitment, its stream version after the write (also the ETag), and what was recorded.</summary>
public sealed record WriteResult(string Code, long Version, CommitmentStatus Status, IReadOnlyList<string> Events, Instant RecordedAt);

/// <summary>What a meeting's batch of review decisions answers.</summary>
public sealed record BatchResult(string Meeting, IReadOnlyList<WriteResult> Recorded);
