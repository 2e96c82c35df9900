import { Faker, base, de, en } from "@faker-js/faker";
import { integerBetween, pick, type Random } from "./random";

/*
 * German-style fake people, addresses and medications for generated orders.
 * Everything here is invented: names and streets come from faker's `de`
 * locale, cities are real with a postcode from their range, e-mail addresses use reserved `.invalid`/`example` domains so a
 * misdirected mail can never reach anyone, and PZNs are made-up numbers that
 * merely carry a valid check digit.
 */

export interface Address {
  first_name: string;
  last_name: string;
  street: string;
  house_number: string;
  zip_code: string;
  city: string;
  country: string;
  additional_address: string | null;
}

export interface Patient {
  uid: string;
  first_name: string;
  last_name: string;
  display_name: string;
  email: string;
  /** YYYY-MM-DD, as the pharmacy order-detail API writes it (docs/rxscale.md#pharmacy-order-events). */
  date_of_birth: string;
  address: Address;
}

export interface Medication {
  pzn: string;
  product_uid: string;
  product_display_name: string;
  product_handle: string;
  /** Price in euro cents. */
  price: number;
}

export interface Pharmacy {
  uid: string;
  display_name: string;
}

export interface DeliveryType {
  uid: string;
  display_name: string;
  identifier: string;
}

/**
 * The check digit of a PZN-8 (Pharmazentralnummer): the first seven digits
 * weighted 1…7, summed, modulo 11. A remainder of 10 is never issued.
 */
export function pznCheckDigit(firstSevenDigits: string): number | null {
  if (!/^\d{7}$/.test(firstSevenDigits)) return null;
  let sum = 0;
  for (let index = 0; index < 7; index += 1) sum += Number(firstSevenDigits[index]) * (index + 1);
  const remainder = sum % 11;
  return remainder === 10 ? null : remainder;
}

/** True for an 8-digit PZN whose last digit is its check digit. */
export function isValidPzn(pzn: string): boolean {
  return /^\d{8}$/.test(pzn) && pznCheckDigit(pzn.slice(0, 7)) === Number(pzn[7]);
}

function withCheckDigit(firstSevenDigits: string): string {
  const check = pznCheckDigit(firstSevenDigits);
  if (check === null) throw new Error(`PZN stem ${firstSevenDigits} has no valid check digit`);
  return `${firstSevenDigits}${check}`;
}

function medication(stem: string, name: string, price: number): Medication {
  const handle = name
    .toLowerCase()
    .replaceAll("ä", "ae")
    .replaceAll("ö", "oe")
    .replaceAll("ü", "ue")
    .replaceAll("ß", "ss")
    .replaceAll("µ", "u")
    .replaceAll(/[^a-z0-9]+/g, "-")
    .replaceAll(/^-|-$/g, "");
  return { pzn: withCheckDigit(stem), product_uid: `prod-${stem}`, product_display_name: name, product_handle: handle, price };
}

/** Generic names of common prescription medicines; the PZNs are invented. */
export const MEDICATIONS: readonly [Medication, ...Medication[]] = [
  medication("0412345", "Ibuprofen 600 mg Filmtabletten, 20 St.", 1_249),
  medication("0523457", "Pantoprazol 20 mg magensaftresistente Tabletten, 30 St.", 1_695),
  medication("0634567", "Ramipril 5 mg Tabletten, 50 St.", 1_380),
  medication("0745678", "Metformin 1000 mg Filmtabletten, 120 St.", 1_750),
  medication("0856789", "Levothyroxin 75 µg Tabletten, 100 St.", 1_490),
  medication("0967890", "Amoxicillin 1000 mg Filmtabletten, 20 St.", 1_320),
  medication("1078901", "Salbutamol Dosieraerosol 100 µg, 200 Hübe", 1_890),
  medication("1189012", "Atorvastatin 20 mg Filmtabletten, 100 St.", 1_970),
  medication("1290123", "Candesartan 8 mg Tabletten, 98 St.", 2_150),
  medication("1301234", "Sertralin 50 mg Filmtabletten, 50 St.", 1_610),
  medication("1412345", "Cannabisblüten 22/1, 10 g", 9_900),
  medication("1523456", "Dronabinol 2,5% ölige Lösung, 10 ml", 24_500),
];

export const PHARMACIES: readonly [Pharmacy, ...Pharmacy[]] = [
  { uid: "ph-emu-01", display_name: "Löwen-Apotheke am Markt" },
  { uid: "ph-emu-02", display_name: "Stern-Apotheke Nord" },
  { uid: "ph-emu-03", display_name: "Rathaus-Apotheke" },
  { uid: "ph-emu-04", display_name: "Apotheke am Hauptbahnhof" },
];

export const DELIVERY_TYPES: readonly [DeliveryType, ...DeliveryType[]] = [
  { uid: "dt-emu-01", display_name: "Standardversand", identifier: "standard" },
  { uid: "dt-emu-02", display_name: "Express", identifier: "express" },
  { uid: "dt-emu-03", display_name: "Abholung in der Apotheke", identifier: "pickup" },
];

const EMAIL_DOMAINS = ["example.invalid", "example.com", "example.org"] as const;

/** Real German cities with a postcode range inside each, so street, postcode and city look like one address. */
export const CITIES: readonly [{ city: string; zipFrom: number; zipTo: number }, ...{ city: string; zipFrom: number; zipTo: number }[]] = [
  { city: "Berlin", zipFrom: 10115, zipTo: 14199 },
  { city: "Hamburg", zipFrom: 20095, zipTo: 22769 },
  { city: "München", zipFrom: 80331, zipTo: 81929 },
  { city: "Köln", zipFrom: 50667, zipTo: 51149 },
  { city: "Frankfurt am Main", zipFrom: 60306, zipTo: 60599 },
  { city: "Stuttgart", zipFrom: 70173, zipTo: 70629 },
  { city: "Düsseldorf", zipFrom: 40210, zipTo: 40629 },
  { city: "Leipzig", zipFrom: 4103, zipTo: 4357 },
  { city: "Dortmund", zipFrom: 44135, zipTo: 44388 },
  { city: "Essen", zipFrom: 45127, zipTo: 45359 },
  { city: "Bremen", zipFrom: 28195, zipTo: 28779 },
  { city: "Dresden", zipFrom: 1067, zipTo: 1328 },
  { city: "Hannover", zipFrom: 30159, zipTo: 30669 },
  { city: "Nürnberg", zipFrom: 90402, zipTo: 90491 },
  { city: "Freiburg im Breisgau", zipFrom: 79098, zipTo: 79117 },
  { city: "Münster", zipFrom: 48143, zipTo: 48167 },
  { city: "Kiel", zipFrom: 24103, zipTo: 24159 },
  { city: "Rostock", zipFrom: 18055, zipTo: 18147 },
  { city: "Heidelberg", zipFrom: 69115, zipTo: 69126 },
  { city: "Potsdam", zipFrom: 14467, zipTo: 14482 },
];

/** Generates fake patients from one seeded faker instance (never the shared global one). */
export class FakePeople {
  private readonly faker: Faker;

  constructor(
    seed: number,
    private readonly random: Random,
    /** Told about every patient made up, e.g. to list them for the test suite's log scan. */
    private readonly onPatient?: (patient: Patient) => void,
  ) {
    this.faker = new Faker({ locale: [de, en, base] });
    this.faker.seed(seed);
  }

  patient(uid: string): Patient {
    const first = this.faker.person.firstName();
    const last = this.faker.person.lastName();
    const birth = this.faker.date.birthdate({ mode: "age", min: 18, max: 90, refDate: "2026-01-01T00:00:00.000Z" });
    const local = `${first}.${last}`
      .normalize("NFD")
      .replaceAll(/[\u0300-\u036f]/g, "")
      .replaceAll("ß", "ss")
      .toLowerCase()
      .replaceAll(/[^a-z0-9.]+/g, "");
    const place = pick(this.random, CITIES);
    const patient: Patient = {
      uid,
      first_name: first,
      last_name: last,
      display_name: `${first} ${last}`,
      email: `${local}${integerBetween(this.random, 1, 99)}@${this.faker.helpers.arrayElement(EMAIL_DOMAINS)}`,
      date_of_birth: birth.toISOString().slice(0, 10),
      address: {
        first_name: first,
        last_name: last,
        street: this.faker.location.street(),
        house_number: this.faker.location.buildingNumber(),
        zip_code: String(integerBetween(this.random, place.zipFrom, place.zipTo)).padStart(5, "0"),
        city: place.city,
        country: "Germany",
        additional_address: this.random() < 0.15 ? `${this.faker.helpers.arrayElement(["Hinterhaus", "3. OG", "c/o Praxis", "Wohnung"])} ${integerBetween(this.random, 1, 12)}` : null,
      },
    };
    this.onPatient?.(patient);
    return patient;
  }

  doctorName(): string {
    return `Dr. med. ${this.faker.person.firstName()} ${this.faker.person.lastName()}`;
  }

  items(): Medication[] {
    const count = this.random() < 0.75 ? 1 : 2;
    const first = pick(this.random, MEDICATIONS);
    if (count === 1) return [first];
    const second = pick(this.random, MEDICATIONS);
    return second.pzn === first.pzn ? [first] : [first, second];
  }
}
