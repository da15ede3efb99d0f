using Ledger.Host.DatabaseRoles;
using Ledger.Host.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddLedger(args);

var app = builder.Build();
app.UseLedger();

return await app.RunLedgerCommandsAsync(args);

/// <summary>Entry point, visible to the integration tests' host.</summary>
public partial class Program;
