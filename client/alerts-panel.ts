/**
 * Alerts: the live banner (an alert is on), and the timeline of alerts and measured slips, newest
 * first, each slip with the alert that called it and its lead time by the server's own scoring
 * rule (shared/alerts.ts: claimSlips). Running hit / miss / false-alarm counts come from the
 * server (status) and are shown here.
 */
import { type Alert, type AlertScores, claimSlips } from '../shared/alerts.ts';
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
    if (event === 'on') this.row('alert', `alert #${alert.id} at ${alert.onS.toFixed(1)} s: predicted failure in ${alert.predictedTtfS.toFixed(1)} s`);
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
    this.counts.textContent = `hits ${s.hits} · misses ${s.misses} · false alarms ${s.falseAlarms}${lead}`;
  }

  /** Which alert called each slip, by the server's rule; alerts still changing can change it. */
  private annotateSlips(): void {
    const now = Math.max(0, ...this.slips.map((s) => s.tS), ...this.alerts.map((a) => a.offS ?? a.onS));
    const slipOf = claimSlips(this.alerts, this.slips.map((s) => s.tS), now);
    this.slips.forEach((s, k) => {
      const i = slipOf.indexOf(k);
      const by = i >= 0 ? `called by alert #${this.alerts[i].id}, ${(s.tS - this.alerts[i].onS).toFixed(1)} s ahead` : 'no alert before it';
      s.row.textContent = `slip at ${s.tS.toFixed(1)} s (drop ${s.dropMu.toFixed(3)}): ${by}`;
    });
  }

  private showBanner(a: Alert | null): void {
    this.banner.hidden = !a;
    this.banner.textContent = a ? `Failure predicted: alert #${a.id}, time to failure ${a.predictedTtfS.toFixed(1)} s (fired at ${a.onS.toFixed(1)} s)` : '';
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
