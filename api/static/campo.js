// Field page: holds no data; it logs in (OAuth2 password flow) and reads the API with the token,
// kept only in this tab's sessionStorage.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem("padronToken");
  let actual = null;
  let mapa = null;

  function mostrar(conSesion) {
    $("entrar").hidden = conSesion; $("buscar").hidden = !conSesion; $("salir").hidden = !conSesion;
    if (!conSesion) { $("ficha").hidden = true; $("resultados").replaceChildren(); }
  }
  function aviso(texto) { $("mensaje").textContent = texto || ""; }
  async function api(ruta, opciones = {}) {
    const respuesta = await fetch(ruta, {
      ...opciones, headers: { ...(opciones.headers || {}), Authorization: "Bearer " + token },
    });
    if (respuesta.status === 401) { sessionStorage.removeItem("padronToken"); token = null; mostrar(false); }
    if (!respuesta.ok) {
      const cuerpo = await respuesta.json().catch(() => ({}));
      throw new Error(cuerpo.detalle || "Error " + respuesta.status);
    }
    return respuesta;
  }
  function fila(lista, texto) { const li = document.createElement("li"); li.textContent = texto; lista.append(li); return li; }

  $("entrar").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const respuesta = await fetch("/token", { method: "POST", body: new URLSearchParams(new FormData(evento.target)) });
    const cuerpo = await respuesta.json();
    if (!respuesta.ok) { aviso(cuerpo.detalle); return; }
    token = cuerpo.access_token; sessionStorage.setItem("padronToken", token); aviso(""); mostrar(true);
  });
  $("salir").addEventListener("click", () => { sessionStorage.removeItem("padronToken"); token = null; mostrar(false); });

  $("buscar").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    const q = new FormData(evento.target).get("q").trim().toUpperCase();
    const parametro = /^[A-Z]{4}\d{6}[A-Z0-9]{8}$/.test(q) ? "curp" : "folio";
    $("resultados").replaceChildren(); $("ficha").hidden = true;
    try {
      const lista = await (await api("/campo/buscar?" + new URLSearchParams({ [parametro]: q }))).json();
      aviso("");
      for (const r of lista) {
        const boton = document.createElement("button");
        boton.textContent = `${r.programa} ${r.periodo || ""} · folio ${r.folio} · ${r.nombre || ""} ${r.primer_ap || ""}`;
        boton.addEventListener("click", () => abrir(r.registro_id));
        fila($("resultados"), "").append(boton);
      }
    } catch (error) { aviso(error.message); }
  });

  async function abrir(id) {
    try {
      const r = await (await api("/campo/registros/" + id)).json();
      actual = r; $("ficha").hidden = false;
      $("ficha-nombre").textContent = [r.nombre, r.primer_ap, r.segundo_ap].filter(Boolean).join(" ");
      const datos = [["CURP", r.curp], ["Folio", r.folio], ["Nacimiento", r.fecha_nacimiento], ["Sexo", r.sexo],
        ["Domicilio", [r.tipovial, r.nomvial, r.numext, r.numint, r.tipoasen, r.nomasen, r.cp].filter(Boolean).join(" ")],
        ["Referencias", r.descrubic], ["Municipio declarado", r.nom_mun],
        ["Localidad declarada", r.localidad_declarada || r.nom_loc],
        ["Banderas", [...(r.banderas_registro || []), ...(r.banderas_ubicacion || [])].join(", ") || "ninguna"]];
      $("ficha-datos").replaceChildren(...datos.flatMap(([k, v]) => {
        const dt = document.createElement("dt"); dt.textContent = k;
        const dd = document.createElement("dd"); dd.textContent = v == null || v === "" ? "sin dato" : v;
        return [dt, dd];
      }));
      $("ubicacion").textContent = r.lon == null ? "Sin punto registrado."
        : `Precisión: ${r.precision}; punto ${r.lat.toFixed(6)}, ${r.lon.toFixed(6)}`;
      $("programas").replaceChildren(); r.inscripciones.forEach((i) => fila($("programas"), `${i.programa} ${i.periodo || ""} · folio ${i.folio}`));
      $("pagos").replaceChildren(...r.pagos_por_periodo.map((p) => {
        const tr = document.createElement("tr");
        for (const v of [p.periodo, p.importe, Object.keys(p.por_programa).join(", ")]) {
          const td = document.createElement("td"); td.textContent = v; tr.append(td);
        }
        return tr;
      }));
      croquis(r); await fotos(r);
    } catch (error) { aviso(error.message); }
  }

  async function fotos(r) {
    $("fotos").replaceChildren();
    for (const f of r.fotos) {
      try {  // one unavailable photo must not hide the others
        const blob = await (await api(`/campo/registros/${r.registro_id}/fotos/${f.id}`)).blob();
        const img = document.createElement("img"); img.alt = "Foto de la vivienda"; img.src = URL.createObjectURL(blob);
        $("fotos").append(img);
      } catch (error) {
        const nota = document.createElement("p"); nota.textContent = `Foto ${f.id}: ${error.message}`;
        $("fotos").append(nota);
      }
    }
  }

  function croquis(r) {
    const puntos = [];
    if (r.lon != null) puntos.push({ type: "Feature", properties: { tipo: "registro" }, geometry: { type: "Point", coordinates: [r.lon, r.lat] } });
    if (r.lon_localidad_declarada != null) puntos.push({ type: "Feature", properties: { tipo: "localidad" },
      geometry: { type: "Point", coordinates: [r.lon_localidad_declarada, r.lat_localidad_declarada] } });
    const datos = { type: "FeatureCollection", features: puntos };
    const centro = puntos.length ? puntos[0].geometry.coordinates : [-96.45, 17.05];
    if (mapa) { mapa.getSource("puntos").setData(datos); mapa.jumpTo({ center: centro, zoom: 15 }); return; }
    const fuentes = { puntos: { type: "geojson", data: datos } };
    const capas = [{ id: "fondo", type: "background", paint: { "background-color": "#eef2f5" } }];
    if (document.body.dataset.basemap) {
      fuentes.base = { type: "raster", tiles: [document.body.dataset.basemap], tileSize: 256 };
      capas.push({ id: "base", type: "raster", source: "base" });
    }
    capas.push({ id: "puntos", type: "circle", source: "puntos", paint: {
      "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2,
      "circle-color": ["match", ["get", "tipo"], "registro", "#d7301f", "#2b83ba"] } });
    mapa = new maplibregl.Map({ container: "croquis", style: { version: 8, sources: fuentes, layers: capas },
      center: centro, zoom: 15 });
    mapa.addControl(new maplibregl.NavigationControl(), "top-left");
    window.padronCroquis = mapa;
  }

  $("usar-gps").addEventListener("click", () => {
    if (!actual || !navigator.geolocation) { aviso("Este dispositivo no da su posición."); return; }
    navigator.geolocation.getCurrentPosition(async (pos) => {
      try {
        await api(`/campo/registros/${actual.registro_id}/punto`, { method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ lon: pos.coords.longitude, lat: pos.coords.latitude }) });
        aviso("Punto verificado registrado."); abrir(actual.registro_id);
      } catch (error) { aviso(error.message); }
    }, () => aviso("No se pudo obtener la posición."), { enableHighAccuracy: true });
  });

  $("subir-foto").addEventListener("submit", async (evento) => {
    evento.preventDefault();
    try {
      await api(`/campo/registros/${actual.registro_id}/fotos`, { method: "POST", body: new FormData(evento.target) });
      aviso("Foto guardada."); abrir(actual.registro_id);
    } catch (error) { aviso(error.message); }
  });

  mostrar(Boolean(token));
})();
