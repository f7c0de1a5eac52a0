// A small book touching every kind of value the Node API converts (not a test file itself).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CSV = {
  accounts:
    'id,name,owner_csm,segment,currency,arr,seats,start_date,renewal_date,term_months,attr.source\n' +
    'A1,Acme,dana,enterprise,USD,1200.50,10,2024-01-01,2024-12-31,12,web\n' +
    'A2,Beta,,smb,EUR,99999999999999.99,,2024-02-01,,,\n' +
    'A3,Gamma,lee,,GBP,0.10,3,2024-03-01,2025-03-01,,partner\n',
  contacts: 'id,account_id,name,email\nC1,A1,Sam,sam@acme.example\nC2,A3,Kim,\n',
  contact_roles: 'contact_id,role,added,removed\nC1,executive_sponsor,2024-01-01,\nC2,champion,2024-03-01,2024-05-01\n',
  usage_events:
    'account_id,user_id,feature,timestamp\n' +
    'A1,u1,login,2024-03-30T10:00:00Z\n' +
    'A1,u2,reports,2024-03-10T00:00:00Z\n' +
    'A1,u1,login,2024-04-02T00:00:00Z\n' +
    'A3,u9,dashboards,2024-03-20T08:00:00Z\n',
  usage_snapshots:
    'account_id,period_start,period_end,metric,value\nA1,2024-03-01,2024-03-31,active_users,7\n',
  tickets:
    'id,account_id,opened,closed,priority,status,escalated,csat\n' +
    'T1,A1,2024-03-01,2024-03-05,high,closed,false,4\n' +
    'T2,A3,2024-03-20,,urgent,open,true,\n',
  surveys: 'id,account_id,date,kind,score\nS1,A1,2024-03-01,nps,10\nS2,A1,2024-02-01,nps,3\n',
  meetings: 'id,account_id,kind,date,attendee_roles\nM1,A1,qbr,2024-03-15,champion;executive_sponsor\n',
  milestones: 'id,account_id,name,due,achieved\nMS1,A1,Go live,2024-02-01,2024-01-25\n',
  arr_snapshots: 'account_id,date,currency,arr\nA1,2024-01-01,USD,1000.00\nA1,2024-03-01,USD,1200.50\n',
};

export const AS_OF = '2024-03-31';

/** A fresh temporary directory; removed by the returned cleanup function. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'csops-node-'));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

/** Every column of a frame as plain arrays (NaN kept), for deep comparison. */
export function frameData(frame) {
  return {
    asOf: frame.asOf,
    accountIds: frame.accountIds,
    columns: Object.fromEntries(frame.columns.map((c) => [c, Array.from(frame.column(c))])),
  };
}
