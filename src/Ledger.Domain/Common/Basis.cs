namespace Ledger.Domain.Common;

/// <summary>Where a commitment's facts come from, kept visible so nobody mistakes one kind for another.</summary>
public enum Basis
{
    /// <summary>Stated in the source article about the meeting.</summary>
    Stated,

    /// <summary>A matrix line derived from an agenda topic; the source names the topic only.</summary>
    AgendaTopic,

    /// <summary>Recorded directly in the ledger by the secretariat.</summary>
    Recorded,
}
