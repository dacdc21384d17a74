package bench.peer.jaxws;

import javax.xml.bind.annotation.XmlAccessType;
import javax.xml.bind.annotation.XmlAccessorType;
import javax.xml.bind.annotation.XmlRootElement;
import javax.xml.bind.annotation.XmlType;

/** The request wrapper, written by hand: Debian's JAX-WS RI cannot generate it on JDK 17. */
@XmlRootElement(name = "GetCurrentAccountInfo", namespace = "http://apiconnector.com/v2")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(name = "GetCurrentAccountInfo", namespace = "http://apiconnector.com/v2")
public class GetCurrentAccountInfo {}
