// Public transparency page: reads /transparencia/conteos (the publication, already suppressed)
// and draws a table; a suppressed figure is shown as "—".
(function () {
  "use strict";
  const filtros = document.getElementById("filtros");
  const aviso = document.getElementById("aviso");
  const formato = new Intl.NumberFormat("es-MX");
  const pesos = new Intl.NumberFormat("es-MX", { style: "currency", currency: "MXN" });
  const NOMBRES = { "*": "Todos los programas" };
  const LIMITE = 2000;
  let primeraVez = true;
  function opciones(select, valores) {
    for (const v of [...new Set(valores)].sort()) {
      const o = document.createElement("option"); o.value = v; o.textContent = v || "sin periodo"; select.append(o);
    }
  }
  function cifra(valor, como) { return valor == null ? "—" : como.format(valor); }
  async function cargar() {
    const datos = new FormData(filtros);
    const parametros = new URLSearchParams([...datos].filter(([, v]) => v));
    for (const f of ["csv", "geojson", "gpkg"]) {
      document.getElementById("d-" + f).href = `/transparencia/descarga.${f}?${parametros}`;
    }
    aviso.textContent = "Cargando…";
    const respuesta = await fetch("/transparencia/conteos?" + parametros);
    if (!respuesta.ok) {
      aviso.textContent = "No se pudieron leer las cifras; intente de nuevo en un momento.";
      return;
    }
    const cuerpo = await respuesta.json();
    if (primeraVez) {
      opciones(filtros.programa, cuerpo.filas.map((f) => f.programa).filter((p) => !NOMBRES[p]));
      opciones(filtros.periodo, cuerpo.filas.map((f) => f.periodo));
      primeraVez = false;
    }
    const filas = cuerpo.filas.slice(0, LIMITE).map((f) => {
      const tr = document.createElement("tr");
      const valores = [f.nombre + (f.clave && f.clave !== f.nombre ? ` (${f.clave})` : ""),
        NOMBRES[f.programa] || f.programa, f.periodo, cifra(f.personas, formato),
        f.importe == null && f.suprimida ? "—" : cifra(f.importe, pesos),
        f.poblacion == null ? "" : formato.format(f.poblacion),
        f.cobertura_pct == null ? (f.suprimida ? "—" : "") : f.cobertura_pct, f.grado_marginacion || ""];
      for (const v of valores) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
      if (f.suprimida) tr.className = "suprimida";
      return tr;
    });
    document.getElementById("filas").replaceChildren(...filas);
    const total = cuerpo.filas.length;
    aviso.textContent = total === 0 ? "No hay cifras publicadas con estos filtros."
      : total > LIMITE ? `Se muestran ${formato.format(LIMITE)} de ${formato.format(total)} filas; descargue el archivo para verlas todas.`
      : `${formato.format(total)} filas.`;
  }
  filtros.addEventListener("submit", (e) => { e.preventDefault(); cargar(); });
  cargar();
})();
