using Microsoft.Playwright;

namespace Ledger.Browser.Tests.Support;

/// <summary>
/// A write form of a page (<c>#progress-form</c>, <c>#review-form</c>, <c>#batch-review-form</c>) as a
/// person uses it: fields found by their labels, the submit button, and what the form shows afterwards.
/// </summary>
public sealed class WriteForm(IPage page, string id)
{
    public ILocator Root => page.Locator($"form#{id}");

    public ILocator Button => Root.Locator("button[type='submit']");

    public ILocator Summary => Root.Locator(".error-summary");

    public ILocator Result => Root.Locator(".write-form__result");

    public ILocator Conflict => Root.Locator(".conflict");

    /// <summary>The control labelled <paramref name="label"/> (its label starts with it).</summary>
    public ILocator Labelled(string label) => Root.GetByLabel(label);

    /// <summary>The radio button <paramref name="option"/> of the group (fieldset) <paramref name="legend"/>.</summary>
    public ILocator Choice(string legend, string option) =>
        Root.GetByRole(AriaRole.Group, new() { Name = legend }).GetByRole(AriaRole.Radio, new() { Name = option, Exact = true });

    /// <summary>The field (wrapper) of a request field, where its refusal shows.</summary>
    public ILocator Field(string name) => Root.Locator($"[data-field='{name}']");

    /// <summary>The refusal shown on a request field.</summary>
    public ILocator Error(string name) => Field(name).Locator(".field__error");

    /// <summary>
    /// Submits (by default a click on the button) and waits until the form shows the ledger's answer;
    /// returns the outcome: <c>recorded</c>, <c>replayed</c>, or the HTTP status of a refusal (0: no answer).
    /// </summary>
    public async Task<string> SubmitAsync(Func<Task>? submit = null)
    {
        await Root.EvaluateAsync("form => { delete form.dataset.outcome; }");
        await (submit is null ? Button.ClickAsync() : submit());
        await page.Locator($"form#{id}[data-outcome]").WaitForAsync();
        return (await Root.GetAttributeAsync("data-outcome"))!;
    }
}
