// Public transparency page: reads /transparencia/conteos (already suppressed) and draws a table.
(function () {
  "use strict";
  const filtros = document.getElementById("filtros");
  const formato = new Intl.NumberFormat("es-MX");
  let primeraVez = true;
  function opciones(select, valores) {
    for (const v of [...new Set(valores)].sort()) {
      const o = document.createElement("option"); o.value = v; o.textContent = v || "sin periodo"; select.append(o);
    }
  }
  async function cargar() {
    const datos = new FormData(filtros);
    const parametros = new URLSearchParams([...datos].filter(([, v]) => v));
    for (const f of ["csv", "geojson", "gpkg"]) {
      document.getElementById("d-" + f).href = `/transparencia/descarga.${f}?${parametros}`;
    }
    const respuesta = await fetch("/transparencia/conteos?" + parametros);
    const cuerpo = await respuesta.json();
    if (!respuesta.ok) { return; }
    if (primeraVez) {
      opciones(filtros.programa, cuerpo.filas.map((f) => f.programa));
      opciones(filtros.periodo, cuerpo.filas.map((f) => f.periodo));
      primeraVez = false;
    }
    const filas = cuerpo.filas.slice(0, 2000).map((f) => {
      const tr = document.createElement("tr");
      const valores = [f.nombre + (f.clave ? ` (${f.clave})` : ""), f.programa, f.periodo,
        f.suprimida ? "—" : formato.format(f.personas), f.poblacion == null ? "" : formato.format(f.poblacion),
        f.cobertura_pct == null ? "" : f.cobertura_pct, f.grado_marginacion || ""];
      for (const v of valores) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
      return tr;
    });
    document.getElementById("filas").replaceChildren(...filas);
  }
  filtros.addEventListener("submit", (e) => { e.preventDefault(); cargar(); });
  cargar();
})();
