/** An event as a delivery sends it: `data` is the stored JSON text, spliced into the body as is (no parse and re-serialize per attempt). */
export interface DeliveredEvent {
  id: string;
  type: string;
  createdAt: Date;
  organizationId: string;
  tenantId: string | null;
  data: string;
}

/**
 * The body POSTed to an endpoint for an event: these exact bytes are signed and sent, the same on
 * every retry. The delivery log shows it parsed from this too, so it is what the receiver got.
 */
export function deliveryBody(event: DeliveredEvent): string {
  const head = JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.createdAt.toISOString(),
    organizationId: event.organizationId,
    tenantId: event.tenantId,
  });
  return `${head.slice(0, -1)},"data":${event.data}}`;
}
