/** Loading this module registers every class's behaviour. */
import "./session";
import "./host";
import "./sr";
import "./pbd";
import "./event";
import "./vdi";
import "./vbd";
import "./vif";
import "./task";
import "./vm";
import "./pool";
