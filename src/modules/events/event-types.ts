export interface EventView {
  id: string;
  type: string;
  sequence: number;
  createdAt: string;
  organizationId: string;
  tenantId: string | null;
  data: { object: unknown; previous?: unknown };
}
