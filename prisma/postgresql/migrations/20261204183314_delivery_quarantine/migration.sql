-- AlterTable
ALTER TABLE "delivery" ADD COLUMN     "reason_detail" TEXT;

