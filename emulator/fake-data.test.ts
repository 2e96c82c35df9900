import { describe, expect, it } from "vitest";
import { CITIES, FakePeople, MEDICATIONS, isValidPzn, pznCheckDigit } from "./fake-data";
import { createRandom } from "./random";

describe("fake medications", () => {
  it("all carry an 8-digit PZN with a valid check digit, a product uid and a handle", () => {
    for (const medication of MEDICATIONS) {
      expect(isValidPzn(medication.pzn)).toBe(true);
      expect(medication.product_uid).toMatch(/^prod-\d{7}$/);
      expect(medication.product_handle).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(medication.price).toBeGreaterThan(0);
    }
    expect(new Set(MEDICATIONS.map((medication) => medication.pzn)).size).toBe(MEDICATIONS.length);
    expect(MEDICATIONS.map((medication) => medication.product_handle)).toContain("salbutamol-dosieraerosol-100-ug-200-huebe");
  });

  it("computes the PZN-8 check digit as the weighted sum modulo 11 and rejects stems with remainder 10", () => {
    // 0412345: 0·1+4·2+1·3+2·4+3·5+4·6+5·7 = 93 → 93 mod 11 = 5
    expect(pznCheckDigit("0412345")).toBe(5);
    expect(pznCheckDigit("0523456")).toBeNull();
    expect(isValidPzn("04123455")).toBe(true);
    expect(isValidPzn("04123454")).toBe(false);
    expect(isValidPzn("0412345")).toBe(false);
  });
});

describe("fake patients", () => {
  const people = new FakePeople(5, createRandom(5));
  const patients = Array.from({ length: 200 }, (_, index) => people.patient(`pat-${index}`));

  it("live in real German cities with a postcode of that city, are adults and have e-mail addresses on reserved example domains", () => {
    for (const patient of patients) {
      expect(patient.address.zip_code).toMatch(/^\d{5}$/);
      const city = CITIES.find((candidate) => candidate.city === patient.address.city);
      expect(city).toBeDefined();
      expect(Number(patient.address.zip_code)).toBeGreaterThanOrEqual(city?.zipFrom ?? Infinity);
      expect(Number(patient.address.zip_code)).toBeLessThanOrEqual(city?.zipTo ?? -Infinity);
      expect(patient.address.country).toBe("Germany");
      expect(patient.date_of_birth).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const year = Number(patient.date_of_birth.slice(0, 4));
      expect(year).toBeGreaterThanOrEqual(1935);
      expect(year).toBeLessThanOrEqual(2008);
      expect(patient.email).toMatch(/^[a-z0-9.]+@example\.(invalid|com|org)$/);
      expect(patient.display_name).toBe(`${patient.first_name} ${patient.last_name}`);
    }
  });

  it("vary", () => {
    expect(new Set(patients.map((patient) => patient.display_name)).size).toBeGreaterThan(150);
    expect(new Set(patients.map((patient) => patient.address.city)).size).toBeGreaterThan(15);
  });

  it("are the same for the same seed", () => {
    const again = new FakePeople(5, createRandom(5));
    expect(again.patient("pat-0")).toEqual(patients[0]);
  });
});
