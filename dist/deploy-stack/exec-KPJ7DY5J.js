import{createRequire as __cutoverRequire}from'node:module';const require=__cutoverRequire(import.meta.url);
import{a,b}from"./chunk-HQJUONX4.js";import"./chunk-ZOHALX73.js";export{a as exec,b as getExecOutput};
