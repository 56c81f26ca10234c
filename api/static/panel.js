// Admin panel: reads /panel/datos with the token of the session started on /campo.
(function () {
  "use strict";
  const token = sessionStorage.getItem("padronToken");
  const panel = document.getElementById("panel");
  function seccion(titulo, filas) {
    const h = document.createElement("h2"); h.textContent = titulo;
    const tabla = document.createElement("table");
    for (const fila of filas) {
      const tr = document.createElement("tr");
      for (const v of fila) { const td = document.createElement("td"); td.textContent = v == null ? "" : v; tr.append(td); }
      tabla.append(tr);
    }
    panel.append(h, tabla);
  }
  fetch("/panel/datos", { headers: { Authorization: "Bearer " + token } }).then(async (r) => {
    const d = await r.json();
    if (!r.ok) { document.getElementById("mensaje").textContent = d.detalle; return; }
    seccion("Totales por programa", [["Programa", "Registros", "Personas", "Importe"],
      ...d.por_programa.map((p) => [p.programa, p.registros, p.personas, p.importe])]);
    seccion("Duplicados", [["Programa", "Inscripciones repetidas"],
      ...Object.entries(d.duplicados.inscripciones_repetidas),
      ["Importe involucrado", d.duplicados.importe_involucrado]]);
    seccion("Cobertura", [["Personas", d.cobertura.personas], ["Población", d.cobertura.poblacion], ["%", d.cobertura.pct]]);
    seccion("Registros por precisión", Object.entries(d.calidad.por_precision));
    seccion("Registros por bandera", Object.entries(d.calidad.por_bandera));
    seccion("Últimas cargas", [["Carga", "Programa", "Periodo", "Archivo", "Leídas", "Cargadas", "Rechazadas"],
      ...d.ultimas_cargas.map((c) => [c.carga, c.programa, c.periodo, c.archivo, c.filas_leidas, c.filas_cargadas, c.filas_rechazadas])]);
  });
})();
