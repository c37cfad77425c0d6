/** The lead check: events far ahead of the newest event time seen are refused, with the reason. */
import { EventTimeLead } from '../../../shared/domain/event-lead';
import { PoisonMessageError } from '../../../shared/errors';

const D = 86_400_000;
const t0 = Date.UTC(2011, 0, 1);

test('within the lead an event is taken and moves the reference; beyond it, it is refused and moves nothing', () => {
  const lead = new EventTimeLead(30 * D, t0);
  lead.check(t0 + 29 * D);
  expect(lead.reference).toBe(t0 + 29 * D);
  lead.check(t0 + 59 * D); // 30 days after the new reference: still within
  expect(lead.reference).toBe(t0 + 59 * D);
  expect(() => lead.check(t0 + 59 * D + 30 * D + 1)).toThrow(PoisonMessageError);
  expect(() => lead.check(Date.UTC(2013, 0, 5))).toThrow(/eventTime 2013-01-05T00:00:00.000Z is 676.0 days after the newest event time seen \(2011-03-01T00:00:00.000Z\), more than MAX_EVENT_LEAD_MS allows/);
  expect(lead.reference).toBe(t0 + 59 * D);
  // older events (late ones, another partition's) are always taken and do not move the reference back
  lead.check(t0);
  expect(lead.reference).toBe(t0 + 59 * D);
});

test('the shared watermark moves the reference forward only, so a quiet topic is judged by the busy ones', () => {
  const lead = new EventTimeLead(30 * D, t0);
  lead.advance(t0 + 100 * D);
  lead.check(t0 + 120 * D);
  lead.advance(t0); // an older read changes nothing
  expect(lead.reference).toBe(t0 + 120 * D);
});

test('an empty system takes its first event as it is; 0 turns the check off', () => {
  const fresh = new EventTimeLead(30 * D);
  fresh.check(Date.UTC(2030, 0, 1));
  expect(fresh.reference).toBe(Date.UTC(2030, 0, 1));
  const off = new EventTimeLead(0, t0);
  expect(() => off.check(t0 + 10_000 * D)).not.toThrow();
});
