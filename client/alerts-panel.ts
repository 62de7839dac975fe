/**
 * Alerts: the live banner (an alert is on), and the timeline of alerts and measured slips with
 * lead times, newest first. Running hit / miss / false-alarm counts come from the server's
 * scoring (status.ts) and are shown here.
 */
import type { Alert } from '../shared/alerts.ts';
import type { AlertScores } from '../shared/alerts.ts';
import type { Marks } from './charts.ts';

const MAX_ROWS = 200;

export class AlertsPanel {
  private readonly alerts = new Map<number, Alert>();

  constructor(
    private readonly banner: HTMLElement,
    private readonly list: HTMLElement,
    private readonly counts: HTMLElement,
    private readonly marks: Marks,
  ) {
    this.reset();
  }

  reset(): void {
    this.alerts.clear();
    this.marks.alerts.length = 0;
    this.marks.slipsS.length = 0;
    this.list.replaceChildren();
    this.showBanner(null);
    this.counts.textContent = 'no scores yet';
  }

  onAlert(event: 'on' | 'off', alert: Alert): void {
    this.alerts.set(alert.id, alert);
    const i = this.marks.alerts.findIndex((a) => (a as Alert).id === alert.id);
    if (i >= 0) this.marks.alerts[i] = alert;
    else this.marks.alerts.push(alert);
    if (this.marks.alerts.length > MAX_ROWS) this.marks.alerts.shift();
    this.showBanner(event === 'on' ? alert : null);
    if (event === 'on') this.row('alert', `alert #${alert.id} at ${alert.onS.toFixed(1)} s: predicted failure in ${alert.predictedTtfS.toFixed(1)} s`);
  }

  onSlip(tS: number, dropMu: number): void {
    this.marks.slipsS.push(tS);
    if (this.marks.slipsS.length > MAX_ROWS) this.marks.slipsS.shift();
    // the alert that was on when the slip came, if any: its lead time
    const before = [...this.alerts.values()].filter((a) => a.onS <= tS && (a.offS === undefined || a.offS + 0.5 >= tS)).pop();
    const lead = before ? `, alert #${before.id} ${(tS - before.onS).toFixed(1)} s ahead` : ', no alert';
    this.row('slip', `slip at ${tS.toFixed(1)} s (drop ${dropMu.toFixed(3)})${lead}`);
    const active = [...this.alerts.values()].find((a) => a.offS === undefined);
    if (!active) this.showBanner(null);
  }

  showScores(s: AlertScores | null): void {
    if (!s) return;
    const lead = s.leadTimesS.length ? `, median lead ${median(s.leadTimesS).toFixed(1)} s` : '';
    this.counts.textContent = `hits ${s.hits} · misses ${s.misses} · false alarms ${s.falseAlarms}${lead}`;
  }

  private showBanner(a: Alert | null): void {
    this.banner.hidden = !a;
    this.banner.textContent = a ? `Failure predicted: alert #${a.id}, time to failure ${a.predictedTtfS.toFixed(1)} s (fired at ${a.onS.toFixed(1)} s)` : '';
  }

  private row(kind: 'alert' | 'slip', text: string): void {
    const li = document.createElement('li');
    li.className = kind;
    li.textContent = text;
    this.list.prepend(li);
    while (this.list.children.length > MAX_ROWS) this.list.lastElementChild!.remove();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}
