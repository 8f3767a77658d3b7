/** A chart's numbers as a collapsible table under it (console charts: overview, quality). */
import { formatCount } from '../format.js';

/** The numbers behind a chart, for screen readers and for anyone who wants them exact. */
export const DataTable = ({
  caption,
  columns,
  rows,
}: {
  caption: string;
  columns: string[];
  rows: Array<[string, ...Array<string | number>]>;
}) => (
  <details class="chart-data">
    <summary>Show the numbers</summary>
    <table class="data compact">
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([head, ...cells]) => (
          <tr key={head}>
            <th scope="row">{head}</th>
            {cells.map((cell, i) => (
              <td key={i} class="num">
                {typeof cell === 'number' ? formatCount(cell) : cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  </details>
);
