import { describe, expect, it } from 'vitest'
import { DbConnection, parseDbUrl } from '../src/db-connection.js'

const tenants = Array.from({ length: 12 }, (_, i) => `tenant${i + 1}`)

describe('static-instances', () => {
  it('opens and closes a connection with a 2000-slot statement cache', () => {
    const before = DbConnection.instances.length
    const connection = new DbConnection('postgres://db.local/orders', 2000)
    expect(connection.query('select 1')).toBe(8)
    connection.close()
    expect(DbConnection.instances.length).toBe(before + 1)
  })

  it('parses a database url', () => {
    expect(parseDbUrl('postgres://db.local/orders')).toEqual({ host: 'db.local', database: 'orders' })
  })

  it.each(tenants)('queries the %s database and closes the connection', (tenant) => {
    const connection = new DbConnection(`postgres://db.local/${tenant}`, 2000)
    connection.query(`select * from ${tenant}.orders`)
    connection.close()
    expect(connection.open).toBe(false)
  })
})
