using System.Diagnostics;
using Alba;
using Ledger.Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using NodaTime.Testing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ledger.Integration.Tests.Telemetry;

/// <summary>
/// A seeded host whose OpenTelemetry providers, configured as the host configures them, also export into memory.
/// The collection runs alone: the ledger's meter and the libraries' activity sources are process-wide, so another
/// collection's host would add to what this one sees.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public const int WritesPerMinute = 5;

    private TestDatabase? _database;
    private IAlbaHost? _host;

    public RecordedCollection<Activity> Spans { get; } = new();

    public RecordedCollection<MetricSnapshot> Metrics { get; } = new();

    public IAlbaHost Host => _host ?? throw new InvalidOperationException("The host is not started.");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("telemetry");
        _host = await LedgerHost.StartAsync(
            _database, new FakeClock(LedgerHost.Start), seedOnStartup: true, writesPerMinute: WritesPerMinute,
            settings: new Dictionary<string, string> { ["Ledger:Projections:SampleEvery"] = "01:00:00" }, // only the tests' reads sample
            services: services => services
                .ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans))
                .ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics)));
    }

    /// <summary>The cumulative metric points of <paramref name="name"/> now, as the in-memory exporter is handed them when flushed.</summary>
    public IReadOnlyList<MetricPoint> Points(string name)
    {
        var from = Metrics.Count;
        // False whatever the in-memory reader did: the Prometheus exporter's reader only collects when scraped.
        Host.Services.GetRequiredService<MeterProvider>().ForceFlush(5000);
        Metrics.Count.ShouldBeGreaterThan(from, "the in-memory exporter was handed nothing");
        return Metrics.Since(from).LastOrDefault(m => m.Name == name)?.MetricPoints ?? [];
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryGroup : ICollectionFixture<TelemetryFixture>
{
    public const string Name = "telemetry";
}

/// <summary>What an exporter was handed, safe to read while the providers add to it.</summary>
public sealed class RecordedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<T> Since(int index)
    {
        lock (_items)
        {
            return _items.Skip(index).ToList();
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Since(0).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
