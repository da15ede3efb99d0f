using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Organizations;

public enum OrganizationFamily
{
    UN,
    OIC,
    HostGovernment,
}

public sealed record OrganizationRegistered(
    string Code,
    string Name,
    OrganizationFamily Family,
    string? Note,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;

/// <summary>A policy framework commitments are aligned with (UN 2030 Agenda, OIC-2025 Programme of Action).</summary>
public sealed record FrameworkRegistered(
    string Code,
    string Name,
    Actor RecordedBy,
    Instant RecordedAt) : ILedgerEvent;
