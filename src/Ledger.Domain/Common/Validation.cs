namespace Ledger.Domain.Common;

/// <summary>Collects refusals for one command so the caller hears about every problem at once.</summary>
public sealed class Validation
{
    private readonly List<Refusal> _refusals = [];

    public IReadOnlyList<Refusal> Refusals => _refusals;

    public bool HasErrors => _refusals.Count > 0;

    public Validation Add(string field, string reason, RefusalKind kind = RefusalKind.Invalid)
    {
        _refusals.Add(new Refusal(reason, field, kind));
        return this;
    }

    public Validation Require(bool condition, string field, string reason, RefusalKind kind = RefusalKind.Invalid) =>
        condition ? this : Add(field, reason, kind);

    /// <summary>Text of at most <paramref name="maxLength"/> characters that <see cref="TextRules"/> accepts: one line, or several.</summary>
    public Validation Text(string? value, string field, int maxLength, bool required = true, bool multiline = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return required ? Add(field, "is required") : this;
        }

        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        else if (TextRules.Refuse(value, multiline) is { } reason)
        {
            Add(field, reason);
        }

        return this;
    }

    /// <summary>Refuses enum values outside the defined ones (a number where a name was expected).</summary>
    public Validation Defined<TEnum>(TEnum? value, string field)
        where TEnum : struct, Enum =>
        value is null || Enum.IsDefined(value.Value) ? this : Add(field, $"'{value}' is not a known value");

    /// <summary>Decides with <paramref name="accept"/> when nothing was refused.</summary>
    public Decision Then(Func<Decision> accept) => HasErrors ? Decision.Refuse(_refusals) : accept();
}
