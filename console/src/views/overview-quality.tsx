/**
 * The overview's quality panel (docs/outcomes.md): of the labelled verdicts of the last 12 weeks, per week, the
 * share of frauds caught (decided review or block) and of good users blocked, from GET /quality?bucket=week, with
 * the counts behind each share.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import type { QualityAnswer } from '../api/types.js';
import { Chart } from '../components/chart.js';
import { DataTable } from '../components/data-table.js';
import { useApp } from '../context.js';
import { formatCount, formatDay } from '../format.js';
import { qualityChart, qualityCounts } from './overview-charts.js';

export const QUALITY_WEEKS = 12;

const share = (value: number | null) => (value === null ? '—' : `${Math.round(value * 1000) / 10}%`);

/** `reload` changes when the overview's Refresh is pressed. */
export const QualityPanel = ({ reload }: { reload: number }) => {
  const { api, target } = useApp();
  const [answer, setAnswer] = useState<QualityAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    const since = new Date(Date.now() - QUALITY_WEEKS * 7 * 86_400_000).toISOString();
    api.quality({ since, bucket: 'week' }).then(
      (quality) => live && setAnswer(quality),
      (e) => live && setError(describeFailure(e, target)),
    );
    return () => {
      live = false;
    };
  }, [reload]);
  const buckets = answer?.buckets;
  const chart = useMemo(() => buckets && qualityChart(buckets), [buckets]);
  const totals = answer && qualityCounts(answer);

  return (
    <figure class="panel chart-panel chart-main">
      <figcaption>Decision quality per week</figcaption>
      {error && <p class="muted small">Quality not available: {error}</p>}
      {!answer && !error && <p class="muted small">Loading…</p>}
      {answer && buckets && chart && totals && (
        <>
          <p class="muted small" data-testid="quality-summary">
            Last {QUALITY_WEEKS} weeks: caught {formatCount(totals.caught)} of {formatCount(totals.frauds)}{' '}
            known frauds, blocked {formatCount(totals.legitBlocked)} of {formatCount(totals.legit)} known good
            users (labels and reviews, by the week the verdict was made).
          </p>
          <Chart
            options={chart.options}
            data={chart.data}
            height={200}
            label="Lines of the share of frauds caught and of good users blocked, per week"
          />
          <DataTable
            caption="Decision quality per week"
            columns={[
              'Week of',
              'Labelled',
              'Frauds',
              'Caught',
              'Fraud caught',
              'Legit',
              'Blocked',
              'Legit blocked',
            ]}
            rows={buckets.map((b) => {
              const c = qualityCounts(b);
              return [
                formatDay(b.start),
                b.labelled,
                c.frauds,
                c.caught,
                share(b.fraud_caught),
                c.legit,
                c.legitBlocked,
                share(b.legit_blocked),
              ];
            })}
          />
        </>
      )}
    </figure>
  );
};
