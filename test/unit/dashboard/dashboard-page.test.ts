import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_CSP,
  escapeHtml,
  renderDashboardPage,
} from '../../../src/http/dashboard/dashboard-page.js';

describe('the dashboard page', () => {
  it('embeds the CSRF token escaped, loads only its own scripts, and has no inline script or style', () => {
    const html = renderDashboardPage({ csrfToken: '"><script>alert(1)</script>' });
    expect(html).toContain(
      '<meta name="csrf-token" content="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
    );
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map((match) => /src="([^"]+)"/.exec(match[1] ?? '')?.[1])).toEqual([
      '/dashboard/chart.umd.min.js',
      '/dashboard/app.js',
    ]);
    for (const match of scripts) expect(match[2]).toBe('');
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
  });

  it('has a canvas for every chart', () => {
    const html = renderDashboardPage({ csrfToken: 't' });
    for (const id of [
      'chart-funnel',
      'chart-sla',
      'chart-rejections-source',
      'chart-rejections-campaign',
      'chart-ttft',
      'chart-breaches',
      'chart-budget',
    ])
      expect(html).toContain(`<canvas id="${id}"`);
  });

  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href='x' title="y">&</a>`)).toBe(
      '&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;',
    );
  });
});
