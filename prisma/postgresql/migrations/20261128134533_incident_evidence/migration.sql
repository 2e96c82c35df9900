-- AlterTable
ALTER TABLE "incident" ADD COLUMN     "evidence" TEXT NOT NULL DEFAULT '{}';

