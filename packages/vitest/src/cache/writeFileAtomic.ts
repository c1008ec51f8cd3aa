import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

function tempName(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.tmp`
}

/** Writes through a temp file and a rename, so a reader never sees half a report. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const temp = tempName(file)
  try {
    await writeFile(temp, content)
    await rename(temp, file)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

/** The same, synchronously: for the process's `exit` event, where nothing asynchronous runs. */
export function writeFileAtomicSync(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true })
  const temp = tempName(file)
  try {
    writeFileSync(temp, content)
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}
