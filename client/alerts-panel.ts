/**
 * Alerts: the live banner (an alert is on), and the timeline of alerts and measured slips, newest
 * first: each alert with its issue time and when it cleared, each slip with its outcome (warned,
 * late, missed) and its real lead from the alert's issue time, by the one scoring module
 * (shared/alerts.ts: scoreWarnings) the server and evaluation use. Running counts come from the
 * server (status) and are shown here.
 */
import { type Alert, type AlertScores, DEFAULT_LEAD_S, median, scoreWarnings } from '../shared/alerts.ts';
import type { Marks } from './charts.ts';

const MAX_ROWS = 200;

export class AlertsPanel {
  private alerts: Alert[] = [];
  private slips: { tS: number; dropMu: number; row: HTMLLIElement }[] = [];

  constructor(
    private readonly banner: HTMLElement,
    private readonly list: HTMLElement,
    private readonly counts: HTMLElement,
    private readonly marks: Marks,
  ) {
    this.reset();
  }

  reset(): void {
    this.alerts = [];
    this.slips = [];
    this.marks.alerts.length = 0;
    this.marks.slipsS.length = 0;
    this.list.replaceChildren();
    this.showBanner(null);
    this.counts.textContent = 'no scores yet';
  }

  onAlert(event: 'on' | 'off', alert: Alert): void {
    const i = this.alerts.findIndex((a) => a.id === alert.id);
    if (i >= 0) this.alerts[i] = alert;
    else this.alerts.push(alert);
    if (this.alerts.length > MAX_ROWS) this.alerts.shift();
    this.marks.alerts.splice(0, this.marks.alerts.length, ...this.alerts);
    this.showBanner(event === 'on' ? alert : null);
    if (event === 'on') this.row('alert', `alert #${alert.id} issued at ${alert.onS.toFixed(1)} s: ${describe(alert)}`);
    else this.row('alert', `alert #${alert.id} cleared at ${alert.offS?.toFixed(1)} s (issued ${alert.onS.toFixed(1)} s)`);
    this.annotateSlips();
  }

  onSlip(tS: number, dropMu: number): void {
    this.slips.push({ tS, dropMu, row: this.row('slip', '') });
    if (this.slips.length > MAX_ROWS) this.slips.shift();
    this.marks.slipsS.splice(0, this.marks.slipsS.length, ...this.slips.map((s) => s.tS));
    this.annotateSlips();
  }

  showScores(s: AlertScores | null): void {
    if (!s) return;
    const lead = s.leadTimesS.length ? `, median lead ${median(s.leadTimesS).toFixed(1)} s` : '';
    const warned = s.warnedSlips ?? s.hits;
    this.counts.textContent = `warned ${warned} of ${s.slips ?? warned + s.misses} slips (>= ${DEFAULT_LEAD_S} s ahead) · false alarms ${s.falseAlarms}${lead}`;
  }

  /** Each slip's outcome by the one scoring rule; an alert still on counts as on until now. */
  private annotateSlips(): void {
    const now = Math.max(0, ...this.slips.map((s) => s.tS), ...this.alerts.map((a) => a.offS ?? a.onS));
    const scored = scoreWarnings(this.alerts, this.slips.map((s) => s.tS), { fromS: -Infinity, toS: now + 1e-9, sessionEndS: now });
    this.slips.forEach((s, k) => {
      const o = scored.perSlip[k];
      const a = o.alert >= 0 ? this.alerts[o.alert] : null;
      const by = !a ? 'no alert on at the onset' : `${o.outcome} by alert #${a.id}, issued ${o.leadS.toFixed(1)} s ahead`;
      s.row.textContent = `slip at ${s.tS.toFixed(1)} s (drop ${s.dropMu.toFixed(3)}): ${by}`;
    });
  }

  private showBanner(a: Alert | null): void {
    this.banner.hidden = !a;
    this.banner.textContent = a ? `Failure predicted: alert #${a.id}, ${describe(a)} (issued at ${a.onS.toFixed(1)} s)` : '';
  }

  private row(kind: 'alert' | 'slip', text: string): HTMLLIElement {
    const li = document.createElement('li');
    li.className = kind;
    li.textContent = text;
    this.list.prepend(li);
    while (this.list.children.length > MAX_ROWS) this.list.lastElementChild!.remove();
    return li;
  }
}

/** Probability (when the alert carries one), predicted TTF and its uncertainty. */
function describe(a: Alert): string {
  const p = a.probability !== undefined ? `P(slip within ${a.horizonS} s) ${(100 * a.probability).toFixed(0)} %, ` : '';
  const sd = a.ttfStdS !== undefined ? ` +- ${a.ttfStdS.toFixed(1)}` : '';
  return `${p}time to failure ${a.predictedTtfS.toFixed(1)}${sd} s`;
}
