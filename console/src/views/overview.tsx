/**
 * The overview: decisions per bucket, the degraded share, and Defastra calls against cache hits, from GET /stats;
 * decision quality per week from GET /quality (overview-quality.tsx).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import { SOURCES, type StatsBucket } from '../api/types.js';
import { Chart } from '../components/chart.js';
import { DataTable } from '../components/data-table.js';
import { ErrorBox } from '../components/status.js';
import { useApp } from '../context.js';
import { formatCount, formatDateTime, formatDay, formatShare, SOURCE_LABEL } from '../format.js';
import { decisionsChart, defastraChart, degradedChart } from './overview-charts.js';
import { QualityPanel } from './overview-quality.js';
import { ShadowPanel } from './overview-shadow.js';

const RANGES = [
  { key: '24h', label: 'Last 24 hours, by hour', days: 1, bucket: 'hour' },
  { key: '7d', label: 'Last 7 days', days: 7, bucket: 'day' },
  { key: '14d', label: 'Last 14 days', days: 14, bucket: 'day' },
  { key: '30d', label: 'Last 30 days', days: 30, bucket: 'day' },
  { key: '90d', label: 'Last 90 days', days: 90, bucket: 'day' },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];

const sum = (buckets: StatsBucket[], pick: (b: StatsBucket) => number) =>
  buckets.reduce((n, b) => n + pick(b), 0);
const total = (b: StatsBucket) => b.allow + b.review + b.block;

const Tile = ({ label, value, detail }: { label: string; value: string; detail?: string }) => (
  <div class="tile">
    <p class="tile-label">{label}</p>
    <p class="tile-value">{value}</p>
    {detail && <p class="tile-detail">{detail}</p>}
  </div>
);

export const OverviewView = () => {
  const { api, target } = useApp();
  const [rangeKey, setRangeKey] = useState<RangeKey>('14d');
  const [buckets, setBuckets] = useState<StatsBucket[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const range = RANGES.find((r) => r.key === rangeKey) ?? RANGES[2];
  useEffect(() => {
    let live = true;
    setError(null);
    const since = new Date(Date.now() - range.days * 86_400_000).toISOString();
    api.stats({ since, bucket: range.bucket }).then(
      (stats) => live && setBuckets(stats.buckets),
      (e) => live && setError(describeFailure(e, target)),
    );
    return () => {
      live = false;
    };
  }, [rangeKey, reload]);

  const step = range.bucket === 'hour' ? 3600 : 86_400;
  const label = (iso: string) => (range.bucket === 'hour' ? formatDateTime(iso) : formatDay(iso));

  const charts = useMemo(
    () =>
      buckets && {
        decisions: decisionsChart(buckets, step),
        degraded: degradedChart(buckets, step),
        defastra: defastraChart(buckets, step),
      },
    [buckets, step],
  );

  const totals = buckets && {
    screened: sum(buckets, total),
    allow: sum(buckets, (b) => b.allow),
    review: sum(buckets, (b) => b.review),
    block: sum(buckets, (b) => b.block),
    degraded: sum(buckets, (b) => b.degraded),
    calls: sum(buckets, (b) => b.defastra_calls),
    hits: sum(buckets, (b) => b.cache_hits),
    velocity: sum(buckets, (b) => b.velocity),
    spend: sum(buckets, (b) => b.spend_limited),
  };

  const bySource =
    buckets &&
    SOURCES.map((source) => {
      const s = { allow: 0, review: 0, block: 0 };
      for (const b of buckets) {
        const part = b.by_source[source];
        if (part) {
          s.allow += part.allow;
          s.review += part.review;
          s.block += part.block;
        }
      }
      return { source, ...s, total: s.allow + s.review + s.block };
    }).filter((s) => s.total > 0);

  return (
    <div class="page">
      <div class="page-head">
        <label class="inline">
          Period
          <select value={rangeKey} onChange={(event) => setRangeKey(event.currentTarget.value as RangeKey)}>
            {RANGES.map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="btn btn-quiet" onClick={() => setReload(reload + 1)}>
          Refresh
        </button>
      </div>
      {error && <ErrorBox message={error} onRetry={() => setReload(reload + 1)} />}
      {!buckets && !error && <p class="muted">Loading…</p>}
      {totals && (
        <section class="tiles" aria-label="Totals for the period">
          <Tile label="Screened" value={formatCount(totals.screened)} />
          <Tile
            label="Allowed"
            value={formatShare(totals.allow, totals.screened)}
            detail={formatCount(totals.allow)}
          />
          <Tile
            label="To review"
            value={formatShare(totals.review, totals.screened)}
            detail={formatCount(totals.review)}
          />
          <Tile
            label="Blocked"
            value={formatShare(totals.block, totals.screened)}
            detail={formatCount(totals.block)}
          />
          <Tile
            label="Degraded"
            value={formatShare(totals.degraded, totals.screened)}
            detail={formatCount(totals.degraded)}
          />
          <Tile
            label="Defastra calls"
            value={formatCount(totals.calls)}
            detail={`${formatShare(totals.hits, totals.calls + totals.hits)} from cache`}
          />
          <Tile
            label="Velocity hits"
            value={formatCount(totals.velocity)}
            detail={`${formatCount(totals.spend)} over the spend cap`}
          />
        </section>
      )}
      {buckets && charts && (
        <div class="charts">
          <figure class="panel chart-panel chart-main">
            <figcaption>Decisions per {range.bucket}</figcaption>
            <Chart
              options={charts.decisions.options}
              data={charts.decisions.data}
              height={240}
              label={`Stacked bars of allow, review and block decisions per ${range.bucket}`}
            />
            <DataTable
              caption={`Decisions per ${range.bucket}`}
              columns={[range.bucket === 'hour' ? 'Hour' : 'Day', 'Allow', 'Review', 'Block', 'Degraded']}
              rows={buckets.map((b) => [label(b.start), b.allow, b.review, b.block, b.degraded])}
            />
          </figure>
          <figure class="panel chart-panel">
            <figcaption>Degraded share</figcaption>
            <Chart
              options={charts.degraded.options}
              data={charts.degraded.data}
              height={180}
              label={`Share of verdicts decided by on_error, per ${range.bucket}`}
            />
          </figure>
          <figure class="panel chart-panel">
            <figcaption>Defastra calls and cache hits</figcaption>
            <Chart
              options={charts.defastra.options}
              data={charts.defastra.data}
              height={180}
              label={`Defastra calls and cache hits per ${range.bucket}`}
            />
            <DataTable
              caption="Defastra calls and cache hits"
              columns={[range.bucket === 'hour' ? 'Hour' : 'Day', 'Calls', 'Cache hits']}
              rows={buckets.map((b) => [label(b.start), b.defastra_calls, b.cache_hits])}
            />
          </figure>
          <QualityPanel reload={reload} />
          {bySource && bySource.length > 0 && (
            <section class="panel" aria-labelledby="by-source">
              <h3 id="by-source">By source</h3>
              <table class="data compact">
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col" class="num">
                      Allow
                    </th>
                    <th scope="col" class="num">
                      Review
                    </th>
                    <th scope="col" class="num">
                      Block
                    </th>
                    <th scope="col" class="num">
                      Block share
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {bySource.map((s) => (
                    <tr key={s.source}>
                      <th scope="row">{SOURCE_LABEL[s.source]}</th>
                      <td class="num">{formatCount(s.allow)}</td>
                      <td class="num">{formatCount(s.review)}</td>
                      <td class="num">{formatCount(s.block)}</td>
                      <td class="num">{formatShare(s.block, s.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <ShadowPanel buckets={buckets} />
        </div>
      )}
    </div>
  );
};
