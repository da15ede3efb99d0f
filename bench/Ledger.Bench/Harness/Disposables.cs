namespace Ledger.Bench.Harness;

internal static class Disposables
{
    /// <summary>Disposes each writer's commands, then their connections; a slot never filled (a failed open) is skipped.</summary>
    public static async Task DisposeAllAsync(params IEnumerable<IAsyncDisposable?>[] groups)
    {
        foreach (var group in groups)
        {
            foreach (var item in group)
            {
                if (item is not null)
                {
                    await item.DisposeAsync();
                }
            }
        }
    }
}
