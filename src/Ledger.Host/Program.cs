using JasperFx;
using Ledger.Host.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddLedger();

var app = builder.Build();
app.UseLedger();

return await app.RunJasperFxCommands(args);

/// <summary>Entry point, visible to the integration tests' host.</summary>
public partial class Program;
