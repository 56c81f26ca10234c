-- wrk script of bench/tiles.py: cycle through a list of tile paths (one per line, argument 1),
-- as a browser would ask (gzip accepted), and print one JSON line with the totals.
local paths = {}
local next_path = 1

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  next_path = math.random(#paths)
end

function request()
  local path = paths[next_path]
  next_path = next_path % #paths + 1
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"solicitudes": %d, "duracion_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errores_estado": %d, "errores_conexion": %d, "errores_lectura": %d, ' ..
    '"errores_escritura": %d, "errores_tiempo": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
