import type { GeneratedEvent } from "./orders";

/*
 * What the emulated RxScale knows about each order: the latest state its
 * lifecycle traffic produced, whether or not a delivery of it was sent. The
 * orders read endpoints serve this book (shape: docs/emulator.md#orders-api).
 * It holds no personal data: uids, statuses, times and the shop order name.
 */

export interface BookEntity {
  uid: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface BookPharmacyOrder extends BookEntity {
  pharmacy: { uid: string; name: string } | null;
}

export interface BookOrder {
  uid: string;
  status: string;
  name: string | null;
  created_at: number;
  /** The latest change of the order or anything in it (docs/rxscale.md#orders-and-prescriptions lists this as an assumption). */
  updated_at: number;
  prescriptions: Map<string, BookEntity>;
  pharmacyOrders: Map<string, BookPharmacyOrder>;
}

/** Orders kept at most; the oldest are forgotten first (a long demo must not grow without bound). */
export const MAX_BOOK_ORDERS = 50_000;

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function seconds(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

export class OrderBook {
  private readonly orders = new Map<string, BookOrder>();

  constructor(private readonly maxOrders: number = MAX_BOOK_ORDERS) {}

  get size(): number {
    return this.orders.size;
  }

  /** Applies one generated event; an older version of an entity never replaces a newer one. */
  record(event: GeneratedEvent): void {
    const data = event.data;
    const updatedAt = seconds(data.updated_at, event.timestamp);
    const order = this.orders.get(event.orderUid) ?? this.create(event.orderUid, data, updatedAt);
    order.updated_at = Math.max(order.updated_at, updatedAt);
    const status = text(data.status) ?? "unknown";
    const uid = text(data.uid) ?? event.orderUid;
    const createdAt = seconds(data.created_at, updatedAt);
    switch (event.eventKey) {
      case "orderCreated":
      case "orderUpdated":
        order.status = status;
        order.name = text(data.name) ?? order.name;
        return;
      case "prescriptionApproved":
      case "prescriptionSigned":
      case "prescriptionDeclined": {
        const known = order.prescriptions.get(uid);
        if (!known || known.updated_at <= updatedAt) order.prescriptions.set(uid, { uid, status, created_at: createdAt, updated_at: updatedAt });
        return;
      }
      case "pharmacyOrderCreated":
      case "pharmacyOrderUpdated": {
        const known = order.pharmacyOrders.get(uid);
        const pharmacy = typeof data.pharmacy === "object" && data.pharmacy !== null ? data.pharmacy : null;
        const pharmacyUid = pharmacy ? text(Reflect.get(pharmacy, "uid")) : null;
        const pharmacyName = pharmacy ? text(Reflect.get(pharmacy, "name")) : null;
        if (!known || known.updated_at <= updatedAt) {
          order.pharmacyOrders.set(uid, { uid, status, created_at: createdAt, updated_at: updatedAt, pharmacy: pharmacyUid && pharmacyName ? { uid: pharmacyUid, name: pharmacyName } : null });
        }
        return;
      }
    }
  }

  find(orderUid: string): BookOrder | undefined {
    return this.orders.get(orderUid);
  }

  findPrescription(prescriptionUid: string): { prescription: BookEntity; orderUid: string } | undefined {
    for (const order of this.orders.values()) {
      const prescription = order.prescriptions.get(prescriptionUid);
      if (prescription) return { prescription, orderUid: order.uid };
    }
    return undefined;
  }

  /** Every order, oldest first (created_at, then uid): an order updated while a client pages stays where it was. */
  list(): BookOrder[] {
    return [...this.orders.values()].sort((a, b) => a.created_at - b.created_at || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  }

  private create(orderUid: string, data: Record<string, unknown>, updatedAt: number): BookOrder {
    if (this.orders.size >= this.maxOrders) {
      const oldest = this.orders.keys().next();
      if (!oldest.done) this.orders.delete(oldest.value);
    }
    const order: BookOrder = { uid: orderUid, status: "init", name: text(data.name), created_at: updatedAt, updated_at: updatedAt, prescriptions: new Map(), pharmacyOrders: new Map() };
    this.orders.set(orderUid, order);
    return order;
  }
}
