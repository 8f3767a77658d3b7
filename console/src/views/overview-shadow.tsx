/** The overview's shadow panel: how the shadow policy would have decided the period's verdicts (docs/policy-lifecycle.md). */
import { DECISIONS, type StatsBucket } from '../api/types.js';
import { DecisionBadge } from '../components/badges.js';
import { formatCount } from '../format.js';
import { href } from '../router.js';
import { shadowTotals } from './shadow-totals.js';

export const ShadowPanel = ({ buckets }: { buckets: StatsBucket[] }) => {
  const totals = shadowTotals(buckets);
  if (!totals) return null;
  return (
    <section class="panel" aria-labelledby="shadow-heading">
      <h3 id="shadow-heading">Shadow policy</h3>
      <p class="muted small">
        Verdicts also decided under the shadow (<a href={href('policy')}>Policy</a>): live decision (rows) →
        the shadow's (columns). Nothing the shadow decides is enforced.
      </p>
      <table class="data matrix">
        <thead>
          <tr>
            <th scope="col">Live \ Shadow</th>
            {DECISIONS.map((d) => (
              <th key={d} scope="col">
                <DecisionBadge decision={d} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {DECISIONS.map((live) => (
            <tr key={live}>
              <th scope="row">
                <DecisionBadge decision={live} />
              </th>
              {DECISIONS.map((s) => (
                <td key={s} class={`num ${live === s ? 'same' : totals[live][s] > 0 ? 'changed' : ''}`}>
                  {formatCount(totals[live][s])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
