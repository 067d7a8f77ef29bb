import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestHistogram } from './request-histogram.js';

describe('RequestHistogram', () => {
  it('exposes cumulative buckets, sum and count per label set in Prometheus text', async () => {
    const registry = new Registry();
    const histogram = new RequestHistogram([0.001, 0.01], registry);
    const page = histogram.seriesOf('page', 'GET', 200);
    histogram.observe(page, 0.0005);
    histogram.observe(page, 0.001);
    histogram.observe(page, 0.5);
    histogram.observe(histogram.seriesOf('/subscribe', 'POST', 429), 0.002);
    expect(await registry.metrics()).toBe(
      [
        '# HELP errorbudget_http_request_duration_seconds HTTP requests by route pattern, method and status, and how long they took to answer',
        '# TYPE errorbudget_http_request_duration_seconds histogram',
        'errorbudget_http_request_duration_seconds_bucket{route="page",method="GET",status_code="200",le="0.001"} 2',
        'errorbudget_http_request_duration_seconds_bucket{route="page",method="GET",status_code="200",le="0.01"} 2',
        'errorbudget_http_request_duration_seconds_bucket{route="page",method="GET",status_code="200",le="+Inf"} 3',
        'errorbudget_http_request_duration_seconds_sum{route="page",method="GET",status_code="200"} 0.5015',
        'errorbudget_http_request_duration_seconds_count{route="page",method="GET",status_code="200"} 3',
        'errorbudget_http_request_duration_seconds_bucket{route="/subscribe",method="POST",status_code="429",le="0.001"} 0',
        'errorbudget_http_request_duration_seconds_bucket{route="/subscribe",method="POST",status_code="429",le="0.01"} 1',
        'errorbudget_http_request_duration_seconds_bucket{route="/subscribe",method="POST",status_code="429",le="+Inf"} 1',
        'errorbudget_http_request_duration_seconds_sum{route="/subscribe",method="POST",status_code="429"} 0.002',
        'errorbudget_http_request_duration_seconds_count{route="/subscribe",method="POST",status_code="429"} 1',
        '',
      ].join('\n'),
    );
  });
});
