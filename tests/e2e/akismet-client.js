// akismet-client.js - drives `kindly serve` with the real `akismet-api` npm package, as a
// blog would drive Akismet. Usage: node akismet-client.js PORT KEY NODE_MODULES_DIR
//
// akismet-api sends the key only as the first label of the host name (KEY.host); the test
// names the server "localhost" and maps every *.localhost name to 127.0.0.1 through the
// dns.lookup that Node's sockets call, as a wildcard DNS entry would in a deployment. The
// client itself is unchanged.
'use strict'
const [port, key, modules] = process.argv.slice(2)
const dns = require('dns')
const assert = require('assert')
const realLookup = dns.lookup
dns.lookup = function (host, opts, cb) {
  if (typeof opts === 'function') { cb = opts; opts = {} }
  if (host !== 'localhost' && !host.endsWith('.localhost')) return realLookup(host, opts, cb)
  const all = typeof opts === 'object' && opts && opts.all
  return process.nextTick(() => all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))
}
const { AkismetClient } = require(require.resolve('akismet-api', { paths: [modules] }))

const blog = 'http://blog.example'
const spam = {
  ip: '203.0.113.9', useragent: 'Mozilla/5.0', name: 'pharma',
  content: 'Cheap xanax and valium, no prescription, order now http://rx-direct.example'
}
const ham = {
  ip: '198.51.100.7', useragent: 'Mozilla/5.0', name: 'Ann',
  content: 'The breathing exercise and the journal helped me sleep, thank you'
}

async function main () {
  const opts = { host: `localhost:${port}`, protocol: 'http', blog }
  const client = new AkismetClient({ ...opts, key })
  const wrong = new AkismetClient({ ...opts, key: 'not-a-key' })
  assert.strictEqual(await client.verifyKey(), true, 'verify-key: valid')
  assert.strictEqual(await wrong.verifyKey(), false, 'verify-key: a wrong key is invalid')
  assert.strictEqual(await client.checkSpam(spam), true, 'comment-check: spam is true')
  assert.strictEqual(await client.checkSpam(ham), false, 'comment-check: ham is false')
  await assert.rejects(wrong.checkSpam(ham), /Invalid API key/, 'comment-check: a wrong key is refused')
  assert.strictEqual(await client.checkSpam({ ...ham, honeypot: 'filled in by a bot' }), true, 'honeypot')
  const novel = { ip: '192.0.2.1', content: 'zyzzyva quokka marmalade' }
  await client.submitSpam(novel)
  await client.submitSpam(novel)
  await client.submitSpam(novel)
  await client.submitHam(ham)
  console.log('akismet-api: verify-key, comment-check, submit-spam, submit-ham ok')
}
main().catch(e => { console.error('akismet-api client failed:', e.message); process.exit(1) })
