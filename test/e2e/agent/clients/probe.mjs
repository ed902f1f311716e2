// Plain HTTP from inside the test's network namespace, for what no SDK shows: the agent's status
// codes and JSON error bodies, and the emulator's /_emulator/ inspection routes.
// PROBE_REQUESTS is a JSON list of {url, authorization?, method?}; the requests run in order and
// one JSON line is printed: {answers: [{status, contentType, body}]} (body parsed when it is JSON).
const requests = JSON.parse(process.env.PROBE_REQUESTS ?? '[]');
const answers = [];
for (const { url, authorization, method } of requests) {
  const response = await fetch(url, {
    method: method ?? 'GET',
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  answers.push({ status: response.status, contentType: response.headers.get('content-type'), body });
}
console.log(JSON.stringify({ answers }));
