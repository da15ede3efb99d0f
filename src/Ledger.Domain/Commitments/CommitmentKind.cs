namespace Ledger.Domain.Commitments;

public enum CommitmentKind
{
    /// <summary>A call to coordinate or implement jointly (e.g. implementing the agreed Matrix).</summary>
    Coordination,

    /// <summary>A standing coordination mechanism (task force, working groups, data system).</summary>
    Mechanism,

    /// <summary>A signed instrument between organizations (letter of intent, MoU).</summary>
    Agreement,

    /// <summary>A programme of work with beneficiaries.</summary>
    Programme,

    /// <summary>A call upon institutions to act.</summary>
    Call,

    /// <summary>A line of a meeting's agreed cooperation matrix.</summary>
    MatrixLine,
}

public enum ReviewRating
{
    OnTrack,
    Delayed,
    NotStarted,
    CompletedVerified,
}

public enum ReviewOutcome
{
    Continue,
    CarryForward,
    Close,
    RequestInformation,
}
