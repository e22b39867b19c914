export const EVENT_TYPES = [
  'tenant.created',
  'tenant.updated',
  'tenant.deleted',
  'tenant.deactivated',
  'tenant.reactivated',
  'user.created',
  'user.updated',
  'user.deleted',
  'api_key.created',
  'api_key.revoked',
  'webhook.test',
  'webhook.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventView {
  id: string;
  type: string;
  sequence: number;
  createdAt: string;
  organizationId: string;
  tenantId: string | null;
  data: { object: unknown; previous?: unknown };
}
